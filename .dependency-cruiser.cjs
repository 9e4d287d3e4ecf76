// The architecture's import rules, checked in `npm test` (`npm run check:deps`).
// docs/architecture.md explains the layers; decision records say why each rule exists.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "No import circles anywhere: each module can be understood (and tested) after the ones it imports.",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-has-no-io",
      severity: "error",
      comment:
        "src/chat is the domain: it knows nothing of sockets, HTTP, SQL or Redis, only its own ports. Its tests may wire the in-memory adapters.",
      from: { path: "^src/chat/", pathNot: "\\.test\\.ts$" },
      to: {
        path: [
          "^src/(gateway|http|storage|bus|presence|auth|main)/",
          "node_modules/(ws|fastify|@fastify|kysely|better-sqlite3|mysql2|pg|ioredis|better-auth|undici)/",
        ],
      },
    },
    {
      name: "domain-has-no-node-io",
      severity: "error",
      comment: "The domain does not open sockets, files or processes itself.",
      from: { path: "^src/chat/" },
      to: {
        dependencyTypes: ["core"],
        path: "^(node:)?(net|http|https|fs|child_process|dgram|tls|cluster)$",
      },
    },
    {
      name: "edges-do-not-touch-storage",
      severity: "error",
      comment: "The gateway and HTTP routes reach data through the domain and auth, never through storage.",
      from: { path: "^src/(gateway|http)/" },
      to: { path: "^src/storage/" },
    },
    {
      name: "nothing-imports-main",
      severity: "error",
      comment:
        "src/main is the composition root: it imports everything, nothing in src imports it (tests start the app through it).",
      from: { path: "^src/", pathNot: "^src/main/" },
      to: { path: "^src/main/" },
    },
    {
      name: "protocol-stands-alone",
      severity: "error",
      comment: "The protocol is shared by server, browser, tests and bench: it imports nothing of theirs.",
      from: { path: "^packages/protocol/" },
      to: { path: "^(src/|web/|test/|bench/)" },
    },
    {
      name: "web-uses-only-the-protocol",
      severity: "error",
      comment: "The browser client shares only the protocol package with the server.",
      from: { path: "^web/" },
      to: { path: "^src/" },
    },
    {
      name: "product-does-not-use-the-bench",
      severity: "error",
      comment: "The bench is its own workspace: the product and its tests never import it.",
      from: { path: "^(src|web|test|packages)/" },
      to: { path: "^bench/" },
    },
    {
      name: "bench-uses-only-the-protocol",
      severity: "error",
      comment:
        "The bench talks to Parley through the protocol and its public HTTP/WebSocket, never its internals.",
      from: { path: "^bench/" },
      to: { path: "^(src/|web/|test/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["parley-source", "import", "require", "node", "default"],
    },
    exclude: { path: "(^dist/|^data/|^test-results/)" },
  },
};
