#!/usr/bin/env node
// Writes nsrun(1), dist/nsrun.1, from the option tables as tsc compiled them (dist/cli/manpage.js):
// the page is made by the build, never edited, so it says what --help says.
import { readFileSync, writeFileSync } from 'node:fs';

const path = (relative) => new URL(`../${relative}`, import.meta.url).pathname;
const { manPage } = await import(path('dist/cli/manpage.js'));
const { version } = JSON.parse(readFileSync(path('package.json'), 'utf8'));
writeFileSync(path('dist/nsrun.1'), await manPage(version));
