/** A VAPID key pair for tests that start Parley with NODE_ENV=production (which requires one). */
export const TEST_VAPID_KEYS = {
  VAPID_PUBLIC_KEY: "BCxEEKFf7XNDcq4mgn2soyP4MUamlX9OZ3BJcgEGR7hP8Sm_JuD0SpEvloPBkqiKyN5-fxsOPETyHDD2Xr8TRUU",
  VAPID_PRIVATE_KEY: "vJ_b0L3Zgx1I2BUjSC0lv2FVk7pTgJJ6_aPW0YhIFV8",
} as const;
