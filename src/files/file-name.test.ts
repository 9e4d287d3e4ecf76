import { MAX_FILE_NAME_LENGTH } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { contentDisposition } from "../http/file-routes.js";
import { cleanFileName } from "./file-name.js";
import { typeAllowed } from "./sniff.js";

describe("file names", () => {
  it("keeps only the last path segment, without controls or text-direction tricks", () => {
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("C:\\Users\\ada\\report.pdf")).toBe("report.pdf");
    expect(cleanFileName("photo\u202Egpj.exe")).toBe("photogpj.exe");
    expect(cleanFileName("bell\u0007.txt")).toBe("bell.txt");
    expect(cleanFileName("...hidden")).toBe("hidden");
    expect(cleanFileName("  ")).toBe("file");
    // NFC: a decomposed が becomes one character.
    expect(cleanFileName("\u304B\u3099.png")).toBe("が.png");
  });

  it("cuts long names without splitting a character and keeps the extension", () => {
    const name = cleanFileName(`${"😀".repeat(150)}.jpeg`);
    expect(name.length).toBeLessThanOrEqual(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith("😀.jpeg")).toBe(true);
    // No half of a surrogate pair left behind.
    expect(/[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))).toBe(false);
  });

  it("puts names in Content-Disposition safely, with a UTF-8 form and an ASCII fallback", () => {
    expect(contentDisposition("attachment", '報告 "final"; v2.pdf')).toBe(
      `attachment; filename="__ _final__ v2.pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%22final%22%3B%20v2.pdf`,
    );
  });
});

describe("allowed types", () => {
  it("matches exact types, type/* and *", () => {
    expect(typeAllowed("image/png", ["image/*"])).toBe(true);
    expect(typeAllowed("application/pdf", ["image/*"])).toBe(false);
    expect(typeAllowed("application/pdf", ["image/png", "application/pdf"])).toBe(true);
    expect(typeAllowed("application/octet-stream", ["*"])).toBe(true);
    expect(typeAllowed("imagex/png", ["image/*"])).toBe(false);
  });
});
