// Generate the frontend's REST types from the OpenAPI document, the one definition of the API:
//   src/generated/api-types.ts       (openapi-typescript: paths, components, operations)
//   src/generated/api-operations.ts  (operationId -> { method, path })
// Usage: node scripts/generate-api-types.mjs [--check]
// The files are not committed (src/generated/ is git-ignored): `jlpm build:lib`, `jlpm test`
// and `jlpm watch:src` write them first, so they never lag behind the document. With --check
// nothing is written; the exit status is 1 when a file differs from what the document gives.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import yaml from 'js-yaml';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENT = join(ROOT, 'jupyter_mlops', 'server', 'openapi.yaml');
const TYPES_FILE = join(ROOT, 'src', 'generated', 'api-types.ts');
const OPERATIONS_FILE = join(ROOT, 'src', 'generated', 'api-operations.ts');
const METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace'
];

function header(what, { eslintDisable = false } = {}) {
  const source = relative(ROOT, DOCUMENT);
  return [
    // openapi-typescript's names (`paths`, `operations`) are not ours to style.
    ...(eslintDisable ? ['/* eslint-disable */'] : []),
    `// ${what}`,
    `// Generated from ${source} by scripts/generate-api-types.mjs: do not edit.`,
    '// Written by every `jlpm build:lib` and `jlpm test` (`jlpm build:api-types` alone).',
    ''
  ].join('\n');
}

async function typesSource(document) {
  const ast = await openapiTS(document, {
    // `{type: object}` with no properties is "any object", not "an empty object".
    emptyObjectsUnknown: true,
    // A default is what the server assumes when a field is missing: it stays optional.
    defaultNonNullable: false,
    silent: true
  });
  return `${header("The REST API's types.", { eslintDisable: true })}\n${astToString(ast)}`;
}

function operationTable(document) {
  const rows = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) {
        continue;
      }
      if (!operation.operationId) {
        throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      }
      rows.push(
        `  ${operation.operationId}: { method: '${method.toUpperCase()}', path: '${path}' }`
      );
    }
  }
  return [
    header('Where each operation of the REST API lives, by operationId.'),
    "import type { operations } from './api-types';",
    '',
    '/** The HTTP method and path template (below `mlops/api`) of every operation. */',
    'export const API_OPERATIONS = {',
    rows.join(',\n'),
    '} as const satisfies Record<',
    '  keyof operations,',
    '  { method: string; path: string }',
    '>;',
    ''
  ].join('\n');
}

async function formatted(file, source) {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(source, { ...options, filepath: file });
}

async function main() {
  const check = process.argv.includes('--check');
  const document = yaml.load(await readFile(DOCUMENT, 'utf8'));
  const outputs = [
    [TYPES_FILE, await typesSource(document)],
    [OPERATIONS_FILE, operationTable(document)]
  ];
  let stale = false;
  for (const [file, source] of outputs) {
    const text = await formatted(file, source);
    const current = await readFile(file, 'utf8').catch(() => null);
    if (current === text) {
      continue;
    }
    if (check) {
      stale = true;
      console.error(
        `${relative(ROOT, file)} is stale: run \`jlpm build:api-types\``
      );
    } else {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      console.log(`wrote ${relative(ROOT, file)}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

await main();
