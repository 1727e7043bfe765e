import { MessageCircle, MessagesSquare } from "lucide-react";
import { InstagramMark as Instagram } from "./brand-icons";
import { cn } from "./ui/cn";
import { platformName } from "../lib/format";
import type { Platform } from "../lib/types";

const styles: Record<Platform, string> = {
  whatsapp: "bg-emerald-100 text-emerald-700",
  messenger: "bg-blue-100 text-blue-700",
  instagram: "bg-pink-100 text-pink-700",
};
const icons = { whatsapp: MessageCircle, messenger: MessagesSquare, instagram: Instagram } as const;

/** The platform as a small coloured glyph with its name for screen readers. */
export function PlatformIcon({ platform, className }: { platform: Platform; className?: string }) {
  const Icon = icons[platform];
  return (
    <span title={platformName[platform]} className={cn("inline-flex shrink-0 items-center justify-center rounded-full", !/(^|\s)size-/.test(className ?? "") && "size-5", styles[platform], className)}>
      <Icon className="size-3" aria-hidden />
      <span className="sr-only">{platformName[platform]}</span>
    </span>
  );
}
