// Deluge syntax highlighting for CodeMirror 5 (its `simple` mode addon): keywords, strings,
// numbers, comments, `zoho.*` tasks, and the `info` statement.
/* global CodeMirror */
CodeMirror.defineSimpleMode("deluge", {
  start: [
    { regex: /"(?:[^\\"]|\\.)*"?/, token: "string" },
    { regex: /'(?:[^\\']|\\.)*'?/, token: "string" },
    { regex: /\/\/.*/, token: "comment" },
    { regex: /\/\*/, token: "comment", next: "comment" },
    {
      regex: /\b(?:if|else|for|each|in|return|break|continue|while|try|catch|void|true|false|null|info|list|map|collection|string|int|decimal|bool|date|datetime)\b/,
      token: "keyword",
    },
    { regex: /\bzoho\.[\w.]+/, token: "builtin" },
    { regex: /\b\d+(?:\.\d+)?\b/, token: "number" },
    { regex: /[-+*/%=<>!&|]+/, token: "operator" },
    { regex: /[{[(]/, indent: true },
    { regex: /[}\])]/, dedent: true },
    { regex: /[A-Za-z_]\w*/, token: "variable" },
  ],
  comment: [
    { regex: /.*?\*\//, token: "comment", next: "start" },
    { regex: /.*/, token: "comment" },
  ],
  meta: { lineComment: "//", blockCommentStart: "/*", blockCommentEnd: "*/" },
});
