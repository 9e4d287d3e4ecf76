/** The emoji the reaction picker offers (any single emoji is accepted by the server). */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"] as const;
