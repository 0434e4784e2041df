// SPDX-License-Identifier: GPL-3.0-or-later
//
// The peer's side of the idle benchmark: Xen Orchestra's own client (the
// `xen-api` package) connected to every pool given, following their objects
// as Xen Orchestra does (watchEvents: its event.from loop feeding the object
// collection, the same types Ferry follows).  Prints "ready" once every pool
// is loaded, then does nothing else until SIGTERM or SIGINT;
// bench/run-steady-state measures its CPU time from /proc meanwhile.  On exit
// it prints one JSON line, like Ferry's bench-idle.
//
// usage: node xen-api-idle.mjs USER URL...   (password on stdin, the same for
//        every pool)

import { createClient } from 'xen-api'

const [user, ...urls] = process.argv.slice(2)
const password = await new Promise(resolve => {
  let data = ''
  process.stdin.on('data', chunk => (data += chunk))
  process.stdin.on('end', () => resolve(data.replace(/\n$/, '')))
})

const types = ['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'VBD', 'VDI', 'SR', 'PBD', 'VIF', 'network', 'PIF', 'task']
const clients = urls.map(url =>
  createClient({ url, auth: { user, password }, allowUnauthorized: true, watchEvents: types })
)
let batches = 0
await Promise.all(clients.map(async xapi => {
  await xapi.connect()
  await xapi.objectsFetched
  xapi.objects.on('finish', () => batches++)
}))
console.log('ready')

const version = (await import('xen-api/package.json', { with: { type: 'json' } })).default.version
const stop = async () => {
  const usage = process.resourceUsage()
  console.log(JSON.stringify({
    client: 'xen-api ' + version,
    pools: clients.length,
    ready: clients.length,
    failed: 0,
    batches,
    cpu_total_ms: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
  }))
  await Promise.all(clients.map(xapi => xapi.disconnect().catch(() => {})))
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// keep the process alive while idling (the clients' sockets may be idle too)
setInterval(() => {}, 1 << 30)
