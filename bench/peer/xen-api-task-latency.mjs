// SPDX-License-Identifier: GPL-3.0-or-later
//
// The peer's side of the task-progress delay: Xen Orchestra's own client
// (the `xen-api` package) follows the pool's objects as Xen Orchestra does
// (watchEvents: its event.from loop feeding the object collection), migrates
// one VM back and forth between two hosts (Async.VM.pool_migrate) and records
// when each progress change of the migration's task reaches the collection
// ('update' events), until it has seen SAMPLES changes.
//
// Times are CLOCK_MONOTONIC in microseconds (process.hrtime is libuv's
// uv_hrtime, CLOCK_MONOTONIC on Linux), the clock ferry-sim stamps its
// changes with.  Output: one JSON object per line, the same as Ferry's
// bench-task-latency: {"layer", "task", "progress", "seen_us"}, then
// {"done": true, ...}.
//
// usage: node xen-api-task-latency.mjs URL USER VM HOST_A HOST_B SAMPLES
//        (password on stdin)

import { createClient } from 'xen-api'

const [url, user, vmName, hostA, hostB, samplesArg] = process.argv.slice(2)
const wanted = Math.max(1, parseInt(samplesArg, 10) || 1)
const password = await new Promise(resolve => {
  let data = ''
  process.stdin.on('data', chunk => (data += chunk))
  process.stdin.on('end', () => resolve(data.replace(/\n$/, '')))
})

const nowUs = () => Number(process.hrtime.bigint() / 1000n)

const types = ['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'VBD', 'VDI', 'SR', 'PBD', 'VIF', 'network', 'PIF', 'task']
const xapi = createClient({ url, auth: { user, password }, allowUnauthorized: true, watchEvents: types })
await xapi.connect()
await xapi.objectsFetched

const all = () => Object.values(xapi.objects.all)
const vm = all().find(o => o.$type === 'VM' && o.name_label === vmName && !o.is_a_template)
const hosts = [hostA, hostB].map(name => all().find(o => o.$type === 'host' && o.name_label === name))
if (vm === undefined || hosts.includes(undefined)) {
  console.error(`xen-api-task-latency: no VM ${vmName} or host ${hostA} or ${hostB}`)
  process.exit(1)
}

let seen = 0
let migrations = 0
let current // the task ref of the running migration
const lastProgress = new Map()

xapi.objects.on('update', objects => {
  const when = nowUs()
  for (const object of Object.values(objects)) {
    if (object.$type !== 'task' || object.status !== 'pending') continue
    const progress = object.progress
    if (!(progress > 0 && progress < 1) || lastProgress.get(object.$ref) === progress) continue
    lastProgress.set(object.$ref, progress)
    console.log(JSON.stringify({ layer: 'collection', task: object.$ref, progress, seen_us: when }))
    if (object.$ref === current) seen++
  }
})

while (seen < wanted) {
  const resident = xapi.objects.all[vm.$id]?.resident_on ?? vm.resident_on
  const target = resident === hosts[0].$ref ? hosts[1] : hosts[0]
  current = await xapi.call('Async.VM.pool_migrate', vm.$ref, target.$ref, {})
  migrations++
  // as Xen Orchestra waits for a task: through the same event loop
  await xapi.watchTask(current)
}

console.log(JSON.stringify({
  done: true,
  client: 'xen-api ' + (await import('xen-api/package.json', { with: { type: 'json' } })).default.version,
  migrations,
  samples: seen,
  failed: false,
}))
await xapi.disconnect()
process.exit(0)
