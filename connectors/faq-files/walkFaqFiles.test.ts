import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { walkFaqFiles } from "./walkFaqFiles.js";

// Built at run time rather than under fixtures/, because git ignores node_modules/ folders.
let root: string;

async function write(relativePath: string, text = "## Q?\n\nA.\n"): Promise<void> {
  await mkdir(dirname(join(root, relativePath)), { recursive: true });
  await writeFile(join(root, relativePath), text);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "llamadesk-walk-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("walkFaqFiles", () => {
  it("finds FAQ files in nested directories, sorted by relative path with forward slashes", async () => {
    await write("z.md");
    await write("b/faq.json", "[]");
    await write("a/deep/er/q.csv", "question,answer\n");
    await write("a.markdown");
    await write("UPPER.MD");

    const files = await walkFaqFiles({ path: root });

    expect(files.map((file) => file.relativePath)).toEqual(["UPPER.MD", "a.markdown", "a/deep/er/q.csv", "b/faq.json", "z.md"]);
    expect(files[2]?.path).toBe(join(root, "a", "deep", "er", "q.csv"));
  });

  it("skips other extensions, dot-files, dot-directories and node_modules", async () => {
    await write("keep.md");
    await write("notes.txt");
    await write("faq.md.bak");
    await write(".hidden.md");
    await write(".git/faq.md");
    await write("node_modules/pkg/README.md");
    await write("sub/node_modules/x.md");

    expect((await walkFaqFiles({ path: root })).map((file) => file.relativePath)).toEqual(["keep.md"]);
  });

  it("follows links to files but not links to directories", async () => {
    await write("real/q.md");
    await symlink(join(root, "real", "q.md"), join(root, "linked.md"));
    await symlink(join(root, "real"), join(root, "loop"));
    await symlink(join(root, "real"), join(root, "dir-link.md"));

    expect((await walkFaqFiles({ path: root })).map((file) => file.relativePath)).toEqual(["linked.md", "real/q.md"]);
  });

  it("returns a file argument as is, named by its basename", async () => {
    await write("docs/any-name.txt");

    expect(await walkFaqFiles({ path: join(root, "docs", "any-name.txt") })).toEqual([
      { path: join(root, "docs", "any-name.txt"), relativePath: "any-name.txt" },
    ]);
  });

  it("throws SOURCE_NOT_FOUND naming a path that does not exist", async () => {
    const missing = join(root, "no-such-dir");

    const error = await walkFaqFiles({ path: missing }).catch((caught: unknown) => caught);

    expect(isLlamadeskError(error, "SOURCE_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain(`FAQ path "${missing}" does not exist`);
    expect((error as Error).message).toContain("`paths` option");
  });
});
