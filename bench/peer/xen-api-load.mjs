// SPDX-License-Identifier: GPL-3.0-or-later
//
// Loads a pool's objects with Xen Orchestra's own client (the `xen-api`
// package) and prints the same figures as Ferry's bench-inventory-load:
// time from login to a complete object cache, peak RSS and the longest
// event-loop stall seen while loading.
//
// usage: node xen-api-load.mjs URL USER   (password on stdin)

import { createClient } from 'xen-api'

const [url, user] = process.argv.slice(2)
const password = await new Promise(resolve => {
  let data = ''
  process.stdin.on('data', chunk => (data += chunk))
  process.stdin.on('end', () => resolve(data.replace(/\n$/, '')))
})

// A 5 ms ticker: the largest gap between two ticks is the longest stall.
let last = performance.now()
let longestStall = 0
const ticker = setInterval(() => {
  const now = performance.now()
  longestStall = Math.max(longestStall, now - last - 5)
  last = now
}, 5)

// The types Ferry follows, so that both clients do the same work.
const types = ['pool', 'host', 'host_metrics', 'VM', 'VBD', 'VDI', 'SR', 'PBD', 'VIF', 'network', 'PIF', 'task']

const start = performance.now()
const xapi = createClient({ url, auth: { user, password }, allowUnauthorized: true, watchEvents: types })
await xapi.connect()
const loggedIn = performance.now()
await xapi.objectsFetched
const loaded = performance.now()

const count = Object.keys(xapi.objects.all).length
clearInterval(ticker)
const rss = process.resourceUsage().maxRSS / 1024 // KiB -> MiB

console.log(JSON.stringify({
  client: 'xen-api ' + (await import('xen-api/package.json', { with: { type: 'json' } })).default.version,
  objects: count,
  login_ms: Math.round(loggedIn - start),
  load_ms: Math.round(loaded - start),
  peak_rss_mib: Math.round(rss),
  longest_stall_ms: Math.round(longestStall),
}))
await xapi.disconnect()
process.exit(0)
