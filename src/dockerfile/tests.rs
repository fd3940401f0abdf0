use super::*;
use std::collections::HashMap;

fn p(src: &str) -> Dockerfile {
    match parse(src) {
        Ok(d) => d,
        Err(e) => panic!("parse failed: {e}\n{src}"),
    }
}

fn perr(src: &str) -> ParseError {
    match parse(src) {
        Ok(d) => panic!("expected an error, got {d:#?}"),
        Err(e) => e,
    }
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let m: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| m.get(k).cloned()
}

fn ex(word: &str, pairs: &[(&str, &str)]) -> String {
    expand(word, &env(pairs))
}

// --- directives ------------------------------------------------------------

#[test]
fn directives_at_top() {
    let d = p("# syntax=docker/dockerfile:1.7\n#check=skip=all\n  # ESCAPE = \\\nFROM alpine\n");
    assert_eq!(d.directives.len(), 3);
    assert_eq!(d.directives[0].name, "syntax");
    assert_eq!(d.directives[0].value, "docker/dockerfile:1.7");
    assert_eq!((d.directives[0].line, d.directives[0].column), (1, 3));
    assert_eq!(d.directives[1].name, "check");
    assert_eq!(d.directives[1].value, "skip=all");
    assert_eq!(d.directives[2].name, "escape");
    assert_eq!((d.directives[2].line, d.directives[2].column), (3, 5));
    assert_eq!(d.directive("SYNTAX"), Some("docker/dockerfile:1.7"));
    assert_eq!(d.escape, '\\');
}

#[test]
fn directives_end_at_comment_empty_line_or_instruction() {
    let d = p("# hello\n# syntax=foo\nFROM a\n");
    assert!(d.directives.is_empty());
    let d = p("\n# syntax=foo\nFROM a\n");
    assert!(d.directives.is_empty());
    let d = p("# unknown=1\n# syntax=foo\nFROM a\n");
    assert!(d.directives.is_empty());
    let d = p("FROM a\n# syntax=foo\n");
    assert!(d.directives.is_empty());
    // The value is trimmed; a directive without a value is just a comment.
    let d = p("# syntax =  x  \n# escape=\nFROM a\n");
    assert_eq!(d.directives.len(), 1);
    assert_eq!(d.directives[0].value, "x");
}

#[test]
fn directive_errors() {
    let e = perr("# syntax=a\n# syntax=b\nFROM x\n");
    assert_eq!((e.line, e.column), (2, 3));
    assert!(e.message.contains("only one syntax"), "{e}");
    let e = perr("# escape=x\nFROM x\n");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("invalid escape token"), "{e}");
}

#[test]
fn bom_is_ignored() {
    let d = p("\u{feff}# syntax=x\nFROM a\n");
    assert_eq!(d.directive("syntax"), Some("x"));
}

// --- continuations and escape ----------------------------------------------

#[test]
fn continuation_with_comments_and_empty_lines() {
    let src = "FROM alpine\nRUN apk add \\\n# a comment\n    curl \\\n\n  \t\n    git\nRUN true\n";
    let d = p(src);
    let st = &d.stages[0];
    assert_eq!(st.instructions.len(), 2);
    let run = &st.instructions[0];
    assert_eq!(run.args[0].text, "apk add     curl     git");
    assert_eq!((run.line, run.end_line), (2, 7));
    assert_eq!(st.instructions[1].line, 8);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message.contains("empty continuation"))
    );
}

#[test]
fn escape_backtick() {
    let src = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n  && echo hi\nCOPY --from=base C:\\src `\n  C:\\dst\n";
    let d = p(src);
    assert_eq!(d.escape, '`');
    let st = &d.stages[0];
    assert_eq!(st.instructions[0].args[0].text, "dir c:\\   && echo hi");
    let copy = &st.instructions[1];
    let args: Vec<&str> = copy.args.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(args, ["C:\\src", "C:\\dst"]);
    assert_eq!((copy.args[1].line, copy.args[1].column), (6, 3));
    // With the default escape a trailing backslash continues the line.
    let d = p("FROM a\nRUN dir c:\\\nRUN x\n");
    assert_eq!(d.stages[0].instructions.len(), 1);
    assert_eq!(d.stages[0].instructions[0].args[0].text, "dir c:RUN x");
}

#[test]
fn continuation_at_eof_and_comment_lines_do_not_continue() {
    let d = p("FROM a\n# comment \\\nRUN echo \\");
    let st = &d.stages[0];
    assert_eq!(st.instructions.len(), 1);
    assert_eq!(st.instructions[0].args[0].text, "echo");
}

#[test]
fn case_insensitive_keywords_and_crlf() {
    let d = p("from alpine as Builder\r\nrun echo hi\r\nCopy --from=BUILDER /a /b\r\n");
    let st = &d.stages[0];
    assert_eq!(st.name.as_deref(), Some("Builder"));
    assert_eq!(st.instructions[0].kind, InstructionKind::Run);
    assert_eq!(st.instructions[0].keyword, "run");
    assert_eq!(st.instructions[0].args[0].text, "echo hi");
    assert_eq!(st.copies_from[0].name, "BUILDER");
    assert!(d.stage("builder").is_some());
    assert!(d.stage("BUILDER").is_some());
}

// --- exec vs shell form ----------------------------------------------------

#[test]
fn json_and_shell_forms() {
    let d = p(concat!(
        "FROM a\n",
        "CMD [\"echo\", \"a b\"]\n",
        "ENTRYPOINT echo [x]\n",
        "RUN [ \"sh\" , \"-c\",\"x\" ]\n",
        "RUN [\"broken\"\n",
        "COPY [\"a b\", \"/dst/\"]\n",
        "SHELL [\"powershell\", \"-Command\"]\n",
        "HEALTHCHECK --interval=5s CMD [\"curl\", \"-f\"]\n",
    ));
    let ins = &d.stages[0].instructions;
    assert!(ins[0].json);
    assert_eq!(
        ins[0]
            .args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        ["echo", "a b"]
    );
    assert_eq!((ins[0].args[1].line, ins[0].args[1].column), (2, 14));
    assert!(!ins[1].json);
    assert_eq!(ins[1].args[0].text, "echo [x]");
    assert!(ins[2].json);
    assert_eq!(ins[2].args.len(), 3);
    assert_eq!(ins[2].args[2].column, 19);
    assert!(!ins[3].json);
    assert_eq!(ins[3].args[0].text, "[\"broken\"");
    assert!(ins[4].json);
    assert_eq!(ins[4].args[0].text, "a b");
    assert!(ins[5].json);
    assert_eq!(ins[6].args[0].text, "CMD");
    assert!(ins[6].json);
    assert_eq!(
        ins[6].flag("interval").and_then(|f| f.value.as_deref()),
        Some("5s")
    );
}

#[test]
fn json_with_non_strings_is_an_error() {
    let e = perr("FROM a\nCMD [\"a\", 1]\n");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(e.message.contains("strings only"));
}

// --- heredocs --------------------------------------------------------------

#[test]
fn heredoc_run() {
    let src = "FROM a\nRUN <<EOF\necho $HOME\nEOF\nRUN x\n";
    let d = p(src);
    let st = &d.stages[0];
    assert_eq!(st.instructions.len(), 2);
    let h = &st.instructions[0].heredocs[0];
    assert_eq!(h.name, "EOF");
    assert!(h.expand);
    assert!(!h.chomp);
    assert_eq!(h.content, "echo $HOME\n");
    assert_eq!((h.start_line, h.end_line), (3, 4));
    assert_eq!(st.instructions[0].end_line, 4);
    assert_eq!(st.instructions[1].line, 5);
}

#[test]
fn heredoc_chomp_quoted_several_and_copy() {
    let src = concat!(
        "FROM a\n",
        "RUN <<-\"EOT\" 3<<'B' python3 -\n",
        "\tprint(1)\n",
        "\tEOT\n",
        "raw $x\n",
        "B\n",
        "COPY <<EOF /dst\n",
        "content\n",
        "EOF\n",
        "RUN cat <<EOF > file && cat <<EOF2\n",
        "one\n",
        "EOF\n",
        "two\n",
        "EOF2\n",
    );
    let d = p(src);
    let ins = &d.stages[0].instructions;
    assert_eq!(ins.len(), 3);
    let hs = &ins[0].heredocs;
    assert_eq!(hs.len(), 2);
    assert_eq!(hs[0].name, "EOT");
    assert!(hs[0].chomp && !hs[0].expand);
    assert_eq!(hs[0].content, "\tprint(1)\n");
    assert_eq!(hs[0].text(), "print(1)\n");
    assert_eq!(hs[1].name, "B");
    assert_eq!(hs[1].fd, 3);
    assert!(!hs[1].expand);
    assert_eq!(hs[1].content, "raw $x\n");
    assert_eq!(ins[1].kind, InstructionKind::Copy);
    assert_eq!(
        ins[1]
            .args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        ["<<EOF", "/dst"]
    );
    assert_eq!(ins[1].heredocs[0].content, "content\n");
    assert_eq!(ins[2].heredocs.len(), 2);
    assert_eq!(ins[2].heredocs[1].content, "two\n");
    assert_eq!(ins[2].line, 10);
    assert_eq!(ins[2].end_line, 14);
}

#[test]
fn heredoc_not_in_json_or_other_instructions() {
    let d = p("FROM a\nRUN [\"sh\", \"<<EOF\"]\nENV A=<<EOF\nRUN echo 'a<<b'\n");
    let ins = &d.stages[0].instructions;
    assert_eq!(ins.len(), 3);
    assert!(ins.iter().all(|i| i.heredocs.is_empty()));
}

#[test]
fn heredoc_in_onbuild() {
    let d = p("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
    let ins = &d.stages[0].instructions[0];
    assert_eq!(ins.kind, InstructionKind::Onbuild);
    assert_eq!(
        ins.onbuild.as_ref().map(|i| i.kind),
        Some(InstructionKind::Run)
    );
    assert_eq!(ins.heredocs[0].content, "x\n");
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let e = perr("FROM a\n\n  RUN <<EOF\necho\nEOS\n");
    assert_eq!((e.line, e.column), (3, 3));
    assert!(e.message.contains("unterminated heredoc"), "{e}");
}

// --- stages, args, positions -----------------------------------------------

#[test]
fn stages_and_positions() {
    let src = concat!(
        "ARG BASE=alpine:3.20\n",
        "ARG VERSION\n",
        "FROM --platform=$BUILDPLATFORM ${BASE} AS build\n",
        "ARG VERSION\n",
        "ARG A=1 B=\"two words\"\n",
        "RUN make\n",
        "\n",
        "FROM scratch\n",
        "COPY --from=build /out /\n",
    );
    let d = p(src);
    assert_eq!(d.global_args.len(), 2);
    assert_eq!(d.global_args[0].name, "BASE");
    assert_eq!(d.global_args[0].default.as_deref(), Some("alpine:3.20"));
    assert_eq!(d.global_args[1].default, None);
    assert_eq!(d.stages.len(), 2);
    let b = &d.stages[0];
    assert_eq!(b.name.as_deref(), Some("build"));
    assert_eq!(
        b.name_pos,
        Some(Pos {
            line: 3,
            column: 43
        })
    );
    assert_eq!(b.base, "${BASE}");
    assert_eq!(
        b.base_pos,
        Pos {
            line: 3,
            column: 32
        }
    );
    assert_eq!(b.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(
        b.platform_pos,
        Some(Pos {
            line: 3,
            column: 17
        })
    );
    assert_eq!((b.index, b.line, b.column), (0, 3, 1));
    let names: Vec<_> = b
        .args
        .iter()
        .map(|a| (a.name.as_str(), a.default.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("VERSION", None),
            ("A", Some("1")),
            ("B", Some("\"two words\""))
        ]
    );
    assert_eq!((b.args[2].line, b.args[2].column), (5, 9));
    let s = &d.stages[1];
    assert_eq!(
        (s.name.as_ref(), s.base.as_str(), s.index, s.line),
        (None, "scratch", 1, 8)
    );
    assert_eq!(
        s.copies_from[0],
        Ref {
            name: "build".into(),
            line: 9,
            column: 13
        }
    );
}

#[test]
fn positions_across_continuations() {
    let d = p("FROM a\nCOPY \\\n  --from=x \\\n     /a /b\n");
    let r = &d.stages[0].copies_from[0];
    assert_eq!((r.line, r.column), (3, 10));
    let ins = &d.stages[0].instructions[0];
    assert_eq!((ins.args[0].line, ins.args[0].column), (4, 6));
    assert_eq!((ins.flags[0].line, ins.flags[0].column), (3, 3));
}

#[test]
fn from_errors() {
    let e = perr("FROM\n");
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.contains("FROM requires"), "{e}");
    let e = perr("FROM a b\n");
    assert!(e.message.contains("one or three"), "{e}");
    let e = perr("FROM a AS b c\n");
    assert!(e.message.contains("one or three"), "{e}");
    let e = perr("FROM a\n  FROM a AS 1bad\n");
    assert_eq!((e.line, e.column), (2, 13));
    assert!(e.message.contains("invalid name for build stage"), "{e}");
    let e = perr("FROM --platform a\n");
    assert!(e.message.contains("missing a value"), "{e}");
}

#[test]
fn other_errors() {
    let e = perr("ARG A\nRUN x\nFROM a\n");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("no build stage"), "{e}");
    let e = perr("");
    assert!(e.message.contains("no instructions"), "{e}");
    let e = perr("# just a comment\n\n");
    assert!(e.message.contains("no instructions"), "{e}");
    let e = perr("ARG A=1\n");
    assert!(e.message.contains("no stages"), "{e}");
    let e = perr("FROM a\nARG\n");
    assert_eq!((e.line, e.column), (2, 1));
    let e = perr("FROM a\nARG =x\n");
    assert_eq!((e.line, e.column), (2, 5));
    let e = perr("FROM a\nONBUILD ONBUILD RUN x\n");
    assert!(e.message.contains("ONBUILD ONBUILD"), "{e}");
}

#[test]
fn lenient_unknown_instructions_and_flags() {
    let d = p("FOO bar\nFROM a\nBAR baz\nRUN --frob=1 echo\nCOPY --chown=1:1 --link a b\n");
    let msgs: Vec<&str> = d.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(msgs.contains(&"unknown instruction: FOO"));
    assert!(msgs.contains(&"unknown instruction: BAR"));
    assert!(msgs.contains(&"unknown flag: frob"));
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    let st = &d.stages[0];
    assert_eq!(st.instructions[0].kind, InstructionKind::Unknown);
    assert_eq!(
        st.instructions[2].flag("link").map(|f| f.value.clone()),
        Some(None)
    );
}

#[test]
fn duplicate_stage_names_warn() {
    let d = p("FROM a AS x\nFROM b AS X\n");
    assert_eq!(d.stage_index("x"), Some(0));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message.contains("duplicate stage name") && w.line == 2)
    );
}

#[test]
fn flag_quoting() {
    let d = p("FROM a\nCOPY --from=\"my stage\" --chmod='7 55' a b\nRUN -- echo --x\n");
    let st = &d.stages[0];
    assert_eq!(st.copies_from[0].name, "my stage");
    assert_eq!(st.copies_from[0].column, 13);
    assert_eq!(
        st.instructions[0]
            .flag("chmod")
            .and_then(|f| f.value.as_deref()),
        Some("7 55")
    );
    assert!(st.instructions[1].flags.is_empty());
    assert_eq!(st.instructions[1].args[0].text, "echo --x");
}

// --- mounts ----------------------------------------------------------------

#[test]
fn mounts_parse() {
    let src = concat!(
        "FROM a AS deps\n",
        "FROM a\n",
        "RUN --mount=type=cache,target=/root/.cache,id=pip-${PY},sharing=LOCKED \\\n",
        "    --mount=type=bind,from=deps,source=/x,dst=/y,rw \\\n",
        "    --mount=type=secret,id=tok,required --mount=destination=/z \\\n",
        "    --mount=type=tmpfs,target=/t,size=64m --mount=type=ssh pip install\n",
    );
    let d = p(src);
    let m = &d.stages[1].mounts;
    assert_eq!(m.len(), 6);
    assert_eq!(m[0].kind, MountKind::Cache);
    assert_eq!(m[0].target.as_deref(), Some("/root/.cache"));
    assert_eq!(m[0].id.as_deref(), Some("pip-${PY}"));
    assert_eq!(m[0].sharing.as_deref(), Some("locked"));
    assert!(!m[0].readonly);
    assert_eq!((m[0].line, m[0].column), (3, 5));
    let id = m[0].option("id").unwrap();
    assert_eq!((id.line, id.column, id.value_column), (3, 44, 47));
    assert_eq!(m[1].kind, MountKind::Bind);
    assert_eq!(m[1].from.as_deref(), Some("deps"));
    assert_eq!(m[1].source.as_deref(), Some("/x"));
    assert_eq!(m[1].target.as_deref(), Some("/y"));
    assert!(!m[1].readonly);
    assert_eq!(
        m[1].option("from").map(|o| (o.line, o.value_column)),
        Some((4, 28))
    );
    assert_eq!(m[1].option("target").map(|o| o.key.as_str()), Some("dst"));
    assert_eq!(m[2].kind, MountKind::Secret);
    assert!(m[2].readonly);
    assert_eq!(m[2].other, [("required".to_string(), None)]);
    assert_eq!(m[3].kind, MountKind::Bind);
    assert!(m[3].readonly);
    assert_eq!(m[3].target.as_deref(), Some("/z"));
    assert_eq!(m[4].kind, MountKind::Tmpfs);
    assert!(!m[4].readonly);
    assert_eq!(m[4].other, [("size".to_string(), Some("64m".to_string()))]);
    assert_eq!(m[5].kind, MountKind::Ssh);
    assert_eq!(d.stages[1].instructions[0].args[0].text, "pip install");
}

#[test]
fn mount_readonly_forms_and_quotes() {
    let d = p(concat!(
        "FROM a\n",
        "RUN --mount=type=cache,target=/a,ro --mount=type=cache,target=/b,readonly=false \\\n",
        "  --mount=type=bind,'\"source=a,b\"',target=/c --mount=type=$T,target=/d,sharing=$S true\n",
    ));
    let m = &d.stages[0].mounts;
    assert!(m[0].readonly);
    assert!(!m[1].readonly);
    assert_eq!(m[2].source.as_deref(), Some("a,b"));
    assert_eq!(m[2].target.as_deref(), Some("/c"));
    assert_eq!(m[3].kind, MountKind::Unresolved("$T".into()));
    assert_eq!(m[3].sharing.as_deref(), Some("$S"));
}

#[test]
fn mount_errors() {
    let e = perr("FROM a\nRUN --mount=type=cahce,target=/x true\n");
    assert_eq!((e.line, e.column), (2, 18));
    assert!(e.message.contains("unsupported mount type"), "{e}");
    let e = perr("FROM a\nRUN --mount=type=cache,sharing=yes true\n");
    assert_eq!((e.line, e.column), (2, 32));
    let e = perr("FROM a\nRUN --mount=type=bind,sharing=locked true\n");
    assert!(e.message.contains("invalid cache sharing"), "{e}");
    let e = perr("FROM a\nRUN --mount=type=bind,foo true\n");
    assert_eq!((e.line, e.column), (2, 23));
    assert!(e.message.contains("key=value"), "{e}");
    // Flag quotes are removed before the CSV split: a comma needs CSV quotes.
    let e = perr("FROM a\nRUN --mount=\"type=bind,source=a,b\" true\n");
    assert!(e.message.contains("invalid field 'b'"), "{e}");
    let e = perr("FROM a\nRUN --mount=type=bind,ro=maybe true\n");
    assert!(e.message.contains("invalid value for ro"), "{e}");
    let e = perr("FROM a\nRUN --mount= true\n");
    assert!(e.message.contains("csv"), "{e}");
    let e = perr("FROM a\nRUN --mount true\n");
    assert!(e.message.contains("missing a value"), "{e}");
}

// --- expansion -------------------------------------------------------------

#[test]
fn expand_simple_forms() {
    let e = [("A", "a"), ("EMPTY", ""), ("P", "/usr/local/bin")];
    assert_eq!(ex("$A", &e), "a");
    assert_eq!(ex("${A}", &e), "a");
    assert_eq!(ex("x${A}y$A-z", &e), "xaya-z");
    assert_eq!(ex("$UNSET", &e), "");
    assert_eq!(ex("${UNSET}", &e), "");
    assert_eq!(ex("$", &e), "$");
    assert_eq!(ex("a$ b", &e), "a$ b");
    assert_eq!(ex("$1x", &e), "x");
}

#[test]
fn expand_default_and_alt_forms() {
    let e = [("A", "a"), ("EMPTY", "")];
    assert_eq!(ex("${A:-d}", &e), "a");
    assert_eq!(ex("${EMPTY:-d}", &e), "d");
    assert_eq!(ex("${UNSET:-d}", &e), "d");
    assert_eq!(ex("${A-d}", &e), "a");
    assert_eq!(ex("${EMPTY-d}", &e), "");
    assert_eq!(ex("${UNSET-d}", &e), "d");
    assert_eq!(ex("${A:+alt}", &e), "alt");
    assert_eq!(ex("${EMPTY:+alt}", &e), "");
    assert_eq!(ex("${UNSET:+alt}", &e), "");
    assert_eq!(ex("${A+alt}", &e), "alt");
    assert_eq!(ex("${EMPTY+alt}", &e), "alt");
    assert_eq!(ex("${UNSET+alt}", &e), "");
    // Nested expansion in the default word.
    assert_eq!(ex("${UNSET:-${A}-x}", &e), "a-x");
    assert_eq!(ex("${UNSET:-\"q}\"}", &e), "q}");
}

#[test]
fn expand_quotes_and_escapes() {
    let e = [("A", "a b")];
    assert_eq!(ex("\"$A\"", &e), "a b");
    assert_eq!(ex("'$A'", &e), "$A");
    assert_eq!(ex("\\$A", &e), "$A");
    assert_eq!(ex("\"\\$A \\x\"", &e), "$A \\x");
    assert_eq!(ex("a\\ b", &e), "a b");
    assert_eq!(try_expand("`$A", '`', &env(&e)).unwrap(), "$A");
    assert_eq!(
        expand_words("x \"$A\" $A", '\\', &env(&e)).unwrap(),
        ["x", "a b", "a", "b"]
    );
}

#[test]
fn expand_pattern_forms() {
    let e = [("F", "archive.tar.gz"), ("P", "a/b/c")];
    assert_eq!(ex("${F%.*}", &e), "archive.tar");
    assert_eq!(ex("${F%%.*}", &e), "archive");
    assert_eq!(ex("${F#*.}", &e), "tar.gz");
    assert_eq!(ex("${F##*.}", &e), "gz");
    assert_eq!(ex("${P/\\//-}", &e), "a-b/c");
    assert_eq!(ex("${P//\\//-}", &e), "a-b-c");
    assert_eq!(ex("${P/b*/X}", &e), "a/X");
}

#[test]
fn expand_errors() {
    let look = env(&[("E", "")]);
    for bad in [
        "${",
        "${A",
        "${}",
        "${:-x}",
        "${A:-x",
        "'abc",
        "\"abc",
        "${E:?}",
        "${U?gone}",
        "${A:#x}",
        "${A!}",
    ] {
        assert!(try_expand(bad, '\\', &look).is_err(), "{bad}");
        // The lenient form returns the word unchanged.
        assert_eq!(expand(bad, &look), bad);
    }
    assert_eq!(
        try_expand("${U?gone}", '\\', &look).unwrap_err().message,
        "U: gone"
    );
}

// --- queries ---------------------------------------------------------------

const MULTI: &str = concat!(
    "ARG GO=1.23\n",
    "ARG UNUSED\n",
    "FROM golang:${GO} AS base\n",
    "ARG CGO=0\n",
    "FROM base AS deps\n",
    "ARG GOPROXY\n",
    "FROM base AS tools\n",
    "FROM deps AS build\n",
    "ARG GO\n",
    "RUN --mount=type=bind,from=tools,source=/t,target=/t go build\n",
    "FROM alpine AS assets\n",
    "FROM scratch AS Final\n",
    "COPY --from=build /bin/app /app\n",
    "COPY --from=0 /etc/x /x\n",
    "COPY --from=${ASSETS_STAGE} /a /a\n",
    "COPY --from=nginx:latest /etc/nginx /n\n",
);

#[test]
fn stage_lookup() {
    let d = p(MULTI);
    assert_eq!(d.stage_index("final"), Some(5));
    assert_eq!(d.stage_index("FINAL"), Some(5));
    assert_eq!(d.stage("Build").map(|s| s.index), Some(3));
    assert!(d.stage("nope").is_none());
    assert_eq!(d.target_stage(None), Some(5));
    assert_eq!(d.target_stage(Some("deps")), Some(1));
    assert_eq!(d.resolve_ref("0", 5), Some(0));
    assert_eq!(d.resolve_ref("5", 5), None);
    assert_eq!(d.resolve_ref("nginx:latest", 5), None);
}

#[test]
fn dependency_closure() {
    let d = p(MULTI);
    assert_eq!(d.direct_dependencies(3), [1, 2]);
    assert_eq!(d.dependencies(3), [0, 1, 2]);
    assert_eq!(d.dependencies(5), [0, 1, 2, 3]);
    assert_eq!(d.closure(5), [0, 1, 2, 3, 5]);
    assert_eq!(d.dependencies(4), Vec::<usize>::new());
    assert_eq!(d.dependencies(0), Vec::<usize>::new());
    let look = env(&[("ASSETS_STAGE", "assets")]);
    assert_eq!(d.dependencies_with(5, &look), [0, 1, 2, 3, 4]);
}

#[test]
fn dependency_cycles_terminate() {
    let d = p("FROM a AS x\nCOPY --from=y / /\nFROM b AS y\nCOPY --from=x / /\n");
    assert_eq!(d.dependencies(0), [1]);
    assert_eq!(d.dependencies(1), [0]);
    // A stage cannot be its own base: `FROM x AS x` names an image.
    let d = p("FROM node AS node\nFROM node AS app\n");
    assert_eq!(d.dependencies(0), Vec::<usize>::new());
    assert_eq!(d.dependencies(1), [0]);
}

#[test]
fn declared_args_in_stage_set() {
    let d = p(MULTI);
    let names = d.declared_arg_names(&d.closure(3));
    let expected: BTreeSet<String> = ["GO", "UNUSED", "CGO", "GOPROXY"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(names, expected);
    let decl = d.declared_args(&[3]);
    assert_eq!(decl.len(), 3);
    assert_eq!(decl[0].stage, None);
    assert_eq!(decl[2].stage, Some(3));
    assert_eq!(decl[2].arg.name, "GO");
    assert_eq!(decl[2].arg.line, 9);
    assert!(is_predefined_arg("TARGETARCH"));
    assert!(!is_predefined_arg("GO"));
}

#[test]
fn arg_values() {
    let src = concat!(
        "ARG REG=docker.io\n",
        "ARG IMG=${REG}/library/alpine\n",
        "ARG TAG\n",
        "FROM ${IMG}:${TAG:-latest} AS a\n",
        "ARG IMG\n",
        "ARG TAG\n",
        "ARG X=\"${IMG} x\"\n",
        "RUN --mount=type=cache,id=c-${X} true\n",
        "ARG LATE=1\n",
    );
    let d = p(src);
    let none = env(&[]);
    let g = d.global_arg_values(&none);
    assert_eq!(
        g.get("IMG").map(String::as_str),
        Some("docker.io/library/alpine")
    );
    assert!(!g.contains_key("TAG"));
    assert_eq!(
        d.resolved_base(0, &none).as_deref(),
        Some("docker.io/library/alpine:latest")
    );
    let cell = env(&[("REG", "ghcr.io"), ("TAG", "3.20")]);
    assert_eq!(
        d.resolved_base(0, &cell).as_deref(),
        Some("ghcr.io/library/alpine:3.20")
    );
    let s = d.stage_arg_values(0, None, &cell);
    assert_eq!(
        s.get("IMG").map(String::as_str),
        Some("ghcr.io/library/alpine")
    );
    assert_eq!(s.get("TAG").map(String::as_str), Some("3.20"));
    assert_eq!(
        s.get("X").map(String::as_str),
        Some("ghcr.io/library/alpine x")
    );
    assert!(!s.contains_key("REG"));
    assert_eq!(s.get("LATE").map(String::as_str), Some("1"));
    let at = d.stage_arg_values(0, Some(8), &cell);
    assert!(!at.contains_key("LATE"));
    let m = &d.stages[0].mounts[0];
    let id = try_expand(m.id.as_deref().unwrap(), d.escape, &|n: &str| {
        at.get(n).cloned()
    })
    .unwrap();
    assert_eq!(id, "c-ghcr.io/library/alpine x");
}

// --- robustness ------------------------------------------------------------

#[test]
fn no_panic_on_odd_inputs() {
    let inputs = [
        "\\",
        "`",
        "FROM a\n\\\n",
        "FROM a\nRUN <<",
        "FROM a\nRUN <<\"\n",
        "FROM a\nRUN <<EOF <<",
        "FROM a\nRUN 99999999999999999999<<EOF\nEOF\n",
        "FROM a\nRUN --mount=\"",
        "FROM a\nRUN --mount=type=cache,\"a\"b",
        "FROM a\nRUN --\"",
        "FROM a\nRUN --mount=\\",
        "FROM a\nCOPY [\"\\u00e9\", \"\\\"\"] x\n",
        "FROM a\nONBUILD\nONBUILD RUN\n",
        "FROM é AS ä\n",
        "FROM a\nHEALTHCHECK\n",
        "FROM a\nRUN [",
        "# escape=`\nFROM a `\n",
        "FROM a\nRUN ${x:-${y:-${z",
        "\u{feff}",
        "\r\n\r\n",
        "FROM a\nRUN \u{a0}--mount=type=cache x\n",
    ];
    for i in inputs {
        let _ = parse(i);
    }
    for w in [
        "${", "${a/", "${a//", "${a/*/", "${a/\\", "${a%\\q}", "${a#[}", "$\u{e9}", "\\",
    ] {
        let _ = expand(w, &env(&[("a", "abc")]));
    }
}

#[test]
fn expand_pattern_edge_cases() {
    let e = [("V", "aXbXc"), ("N", "line1\nline2")];
    // Non-greedy suffix/prefix with `?`.
    assert_eq!(ex("${V%X?}", &e), "aXb");
    assert_eq!(ex("${V#?X}", &e), "bXc");
    // No match leaves the value alone; literal regex metacharacters are literal.
    assert_eq!(ex("${V#.}", &e), "aXbXc");
    assert_eq!(ex("${V/X/[.]}", &e), "a[.]bXc");
    // `*` does not cross a newline (Go's `.`).
    assert_eq!(ex("${N#*2}", &e), "line1\nline2");
    // Only `\*`, `\?`, `\\` (and `\}`, `\/`) are valid escapes in a pattern.
    assert!(try_expand("${N%\\n*}", '\\', &env(&e)).is_err());
    assert_eq!(ex("${V%\\*}", &[("V", "a*")]), "a");
    // Unset variable: empty result for patterns.
    assert_eq!(ex("${U#x}", &e), "");
    assert_eq!(ex("${U/x/y}", &e), "");
}
