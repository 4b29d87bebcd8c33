import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { splitCommands, withoutCommand } from "../../src/flows/shell-analysis.js";

/** The units as [firstLine, lastLine] pairs, with the script starting at line 10. */
async function spans(code: string): Promise<[number, number][]> {
  return (await splitCommands(code, 10)).map((u) => [u.line, u.endLine]);
}

describe("splitCommands", () => {
  test("one unit per simple command line; blank and comment lines belong to none", async () => {
    const code = "ip netns add a\n\n# make b\nip netns add b   # trailing comment\nip netns list";
    expect(await spans(code)).toEqual([
      [10, 10],
      [13, 13],
      [14, 14],
    ]);
    expect((await splitCommands(code, 10))[1]?.text).toBe("ip netns add b   # trailing comment");
  });

  test("commands joined by ; on one line stay one unit", async () => {
    expect(await spans("a; b\nc")).toEqual([
      [10, 10],
      [11, 11],
    ]);
  });

  test("backslash continuation, trailing pipes and && join lines", async () => {
    const code = "ip link add v0 \\\n  type veth \\\n  peer name v1\nfoo |\n  bar &&\n  baz\nqux";
    expect(await spans(code)).toEqual([
      [10, 12],
      [13, 15],
      [16, 16],
    ]);
  });

  test("loops, if and case blocks are one unit each, nested ones too", async () => {
    const code = [
      "for ns in a b; do",
      "  ip netns add $ns",
      "  if true; then",
      "    echo done",
      "  fi",
      "done",
      "case $x in",
      "  a) echo a ;;",
      "  (b) for i in 1; do echo; done ;;",
      "esac",
      "while false",
      "do :; done",
      "until true; do :; done",
      "echo after",
    ].join("\n");
    expect(await spans(code)).toEqual([
      [10, 15],
      [16, 19],
      [20, 21],
      [22, 22],
      [23, 23],
    ]);
  });

  test("keywords as arguments do not open blocks", async () => {
    expect(await spans("echo if for while case\necho done fi\nls")).toEqual([
      [10, 10],
      [11, 11],
      [12, 12],
    ]);
  });

  test("open quotes and command substitutions span lines", async () => {
    const code = 'echo \'one\ntwo\'\nx="$(ip -n a\n  link)"\ny=$(\n  date\n)\necho "a \\" b"\nz';
    expect(await spans(code)).toEqual([
      [10, 11],
      [12, 13],
      [14, 16],
      [17, 17],
      [18, 18],
    ]);
  });

  test("here-documents belong to their command, with <<-, quoted and two at once", async () => {
    const code = [
      "cat > /tmp/f <<EOF",
      "done",
      "if",
      "EOF",
      "cat <<-'END' | tee /tmp/g",
      "\thello",
      "\tEND",
      "paste /dev/fd/3 3<<A <<B",
      "a",
      "A",
      "b",
      "B",
      "cat <<< 'here string'",
      "echo last",
    ].join("\n");
    expect(await spans(code)).toEqual([
      [10, 13],
      [14, 16],
      [17, 21],
      [22, 22],
      [23, 23],
    ]);
  });

  test("here-documents the parser misreads still own their bodies", async () => {
    // tree-sitter-bash 0.25 marks errors in these (a `;` or a redirect and a pipe after the
    // delimiter) but keeps the statement's extent.
    const code = [
      "cat <<'EOF'; echo done",
      "hello",
      "EOF",
      "cat <<'EOF' 2>&1 | tail -5",
      "hello",
      "EOF",
      "cat <<A <<-B",
      "a",
      "A",
      "\tb",
      "\tB",
      "echo last",
    ].join("\n");
    expect(await spans(code)).toEqual([
      [10, 12],
      [13, 15],
      [16, 20],
      [21, 21],
    ]);
  });

  test("functions and brace groups are one unit", async () => {
    const code =
      "f() {\n  echo hi\n}\nfunction g {\n  :\n}\n{ a; b; } > /dev/null\n( cd /tmp\n  ls )\nf";
    expect(await spans(code)).toEqual([
      [10, 12],
      [13, 15],
      [16, 16],
      [17, 18],
      [19, 19],
    ]);
  });

  test("a background command ends its unit", async () => {
    expect(await spans("python3 -m http.server 80 &\nsleep 1")).toEqual([
      [10, 10],
      [11, 11],
    ]);
  });

  test("an unterminated construct yields the rest as one unit instead of failing", async () => {
    expect(await spans("echo ok\nif true; then\n  echo\n")).toEqual([
      [10, 10],
      [11, 12],
    ]);
    expect(await spans("echo 'open\nstill")).toEqual([[10, 11]]);
  });

  test("withoutCommand blanks exactly the unit's lines, keeping line numbers", async () => {
    const code = "a\nfor i in 1; do\n  b\ndone\nc";
    const loop = (await splitCommands(code, 5))[1];
    if (loop === undefined) throw new Error("no loop unit");
    expect(withoutCommand(code, 5, loop)).toBe("a\n\n\n\nc");
  });
});

describe("splitCommands on arbitrary scripts", () => {
  const pieces = [
    "ip netns add a",
    "echo 'x",
    "y'",
    'echo "a \\" b"',
    "for i in 1 2; do",
    "done",
    "if true; then",
    "fi",
    "case $x in a) echo;; esac",
    "cat <<EOF",
    "EOF",
    "foo \\",
    "bar |",
    "x=$(",
    ")",
    "{ a; }",
    "# comment",
    "",
    "f() {",
    "}",
    "sleep 1 &",
  ];
  test("never throws; units are in order, do not overlap, and cover every command line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), async (lines) => {
        const code = lines.join("\n");
        const units = await splitCommands(code, 1);
        let last = 0;
        for (const u of units) {
          expect(u.line).toBeGreaterThan(last);
          expect(u.endLine).toBeGreaterThanOrEqual(u.line);
          last = u.endLine;
        }
        // The first line that is neither blank nor a comment starts the first unit.
        const first = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
        if (first >= 0) expect(units[0]?.line).toBe(first + 1);
        else expect(units).toEqual([]);
        // Leaving out every unit leaves only blank and comment lines.
        let rest = code;
        for (const u of units) rest = withoutCommand(rest, 1, u);
        for (const line of rest.split("\n"))
          expect(line.trim() === "" || line.trim().startsWith("#")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
