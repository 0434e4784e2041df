// SPDX-License-Identifier: GPL-3.0-or-later
//
// The migration benchmark's comparison peer: Xen Orchestra's own XAPI client
// (the `xen-api` package) running a minimal XO-style call sequence that we
// wrote ourselves (xo-server adds its own checks and bookkeeping on top):
//
//  - plain (XenMotion within a pool): VM.pool_migrate through callAsync
//    (Async call, task watched through the client's event.from loop, then
//    task.destroy);
//  - storage motion (within a pool or across pools): host.migrate_receive on
//    the target pool (management network of the target host), a VDI map (a
//    disk whose SR the target host sees stays, the others go to the target
//    pool's default SR), a VIF map across pools (same network name, else the
//    migration network), VM.assert_can_migrate, then VM.migrate_send through
//    callAsync, retried after 10 s on TOO_MANY_STORAGE_MIGRATES as xo-server
//    does.
//
// It counts the XAPI calls the simulated pools received with ferry-sim's
// "calls" control command and prints the same JSON lines as bench-migrate.
//
//   node xen-api-migrate.mjs kinds CONTROL_URL URL_A URL_B PREFIX REPS   (password on stdin)
//   node xen-api-migrate.mjs queue CONTROL_URL URL_Q PREFIX N [PER_HOST]

import { createClient } from 'xen-api'

const SETTLE_MS = 500 // the same grace as bench-migrate before the calls are read
const RETRY_MS = 10e3 // xo-server's delay after TOO_MANY_STORAGE_MIGRATES

const [mode, controlUrl, ...rest] = process.argv.slice(2)
const password = await new Promise(resolve => {
  let data = ''
  process.stdin.on('data', chunk => (data += chunk))
  process.stdin.on('end', () => resolve(data.replace(/\n$/, '')))
})
const version = (await import('xen-api/package.json', { with: { type: 'json' } })).default.version
const client = 'xen-api ' + version

const delay = ms => new Promise(resolve => setTimeout(resolve, ms))

async function control(command) {
  const response = await fetch(controlUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(command),
  })
  const reply = await response.json()
  if (!reply.ok) throw new Error(`the simulator refused ${JSON.stringify(command)}: ${reply.error}`)
  return reply
}

const takeCalls = async pool => (await control({ command: 'calls', pool, clear: true })).calls

function count(calls) {
  const methods = {}
  let eventFrom = 0
  let migrateSend = 0
  const sentVms = new Set()
  for (const { method, params } of calls) {
    methods[method] = (methods[method] ?? 0) + 1
    if (method === 'event.from') eventFrom++
    if (method === 'Async.VM.migrate_send' || method === 'VM.migrate_send') {
      migrateSend++
      sentVms.add(params[1])
    }
  }
  const sorted = {}
  for (const key of Object.keys(methods).sort()) sorted[key] = methods[key]
  return { calls: calls.length, event_from: eventFrom, migrate_send: migrateSend, sent_vms: sentVms.size, methods: sorted }
}

// The types Ferry follows, so that both clients get the same events.
const types = ['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'VBD', 'VDI', 'SR', 'PBD', 'VIF', 'network', 'PIF', 'task']

async function connect(url) {
  const xapi = createClient({ url, auth: { user: 'root', password }, allowUnauthorized: true, watchEvents: types })
  await xapi.connect()
  await xapi.objectsFetched
  return xapi
}

const all = (xapi, type) => Object.values(xapi.objects.all).filter(o => o.$type === type)

function findVm(xapi, name) {
  const vm = all(xapi, 'VM').find(o => o.name_label === name && !o.is_a_template && !o.is_a_snapshot)
  if (vm === undefined) throw new Error(`no VM ${name}`)
  return vm
}

function findHost(xapi, name) {
  const host = all(xapi, 'host').find(o => o.name_label === name)
  if (host === undefined) throw new Error(`no host ${name}`)
  return host
}

const plainMigrate = (xapi, vm, host) => xapi.callAsync('VM.pool_migrate', vm.$ref, host.$ref, { force: 'false' })

// Storage motion, XO-style; `hooks.start`/`hooks.end` see each migrate_send
// attempt begin and end.
async function storageMigrate(src, dest, vm, host, hooks = {}) {
  const samePool = src === dest
  const managementPif = all(dest, 'PIF').find(pif => pif.host === host.$ref && pif.management)
  const migrationNetwork = managementPif.network
  const token = await dest.call('host.migrate_receive', host.$ref, migrationNetwork, {})

  const seenByTarget = new Set(
    all(dest, 'PBD')
      .filter(pbd => pbd.host === host.$ref && pbd.currently_attached)
      .map(pbd => pbd.SR)
  )
  const defaultSr = dest.pool.default_SR
  const vdis = {}
  for (const vbdRef of vm.VBDs) {
    const vbd = src.getObjectByRef(vbdRef)
    if (vbd.type === 'CD' || vbd.VDI === 'OpaqueRef:NULL') continue
    const vdi = src.getObjectByRef(vbd.VDI)
    vdis[vdi.$ref] = samePool && seenByTarget.has(vdi.SR) ? vdi.SR : defaultSr
  }
  const vifs = {}
  if (!samePool) {
    for (const vifRef of vm.VIFs) {
      const vif = src.getObjectByRef(vifRef)
      const name = src.getObjectByRef(vif.network).name_label
      vifs[vifRef] = all(dest, 'network').find(n => n.name_label === name)?.$ref ?? migrationNetwork
    }
  }
  const options = { force: 'false' }

  await src.call('VM.assert_can_migrate', vm.$ref, token, true, vdis, vifs, options)
  let retries = 0
  for (;;) {
    hooks.start?.()
    try {
      await src.callAsync('VM.migrate_send', vm.$ref, token, true, vdis, vifs, options)
      return retries
    } catch (error) {
      if (error?.code !== 'TOO_MANY_STORAGE_MIGRATES') throw error
      retries++
    } finally {
      hooks.end?.()
    }
    await delay(RETRY_MS)
  }
}

// Where the VM of @uuid ended: "host: SR, SR".
function placement(clients, uuid) {
  for (const xapi of clients) {
    const vm = all(xapi, 'VM').find(o => o.uuid === uuid && !o.is_a_snapshot)
    if (vm === undefined) continue
    const host = xapi.getObjectByRef(vm.resident_on, undefined)?.name_label ?? '-'
    const srs = vm.VBDs.map(ref => xapi.getObjectByRef(ref))
      .filter(vbd => vbd.type !== 'CD' && vbd.VDI !== 'OpaqueRef:NULL')
      .map(vbd => xapi.getObjectByRef(xapi.getObjectByRef(vbd.VDI).SR).name_label)
    return `${host}: ${srs.join(', ')}`
  }
  return '?'
}

async function runKinds(urlA, urlB, prefix, reps) {
  const a = await connect(urlA)
  const b = await connect(urlB)
  const a2 = findHost(a, 'a-2')
  const b1 = findHost(b, 'b-1')
  await delay(1000)

  const kinds = [
    ['plain', 'plain', vm => plainMigrate(a, vm, a2)],
    ['storage', 'storage', vm => storageMigrate(a, a, vm, a2)],
    ['cross-pool', 'cross', vm => storageMigrate(a, b, vm, b1)],
  ]
  for (let rep = 1; rep <= reps; rep++) {
    for (const [kind, stem, migrate] of kinds) {
      const vm = findVm(a, `${prefix}${stem}-${rep}`)
      await takeCalls('A')
      await takeCalls('B')
      const start = performance.now()
      let state = 'succeeded'
      let errorText
      try {
        await migrate(vm)
      } catch (error) {
        state = 'failed'
        errorText = String(error?.code ?? error)
      }
      const end = performance.now()
      await delay(SETTLE_MS)
      const counted = count([...(await takeCalls('A')), ...(await takeCalls('B'))])
      console.log(
        JSON.stringify({
          client,
          kind,
          rep,
          state,
          ...(errorText !== undefined ? { error: errorText } : {}),
          wall_ms: Math.round(end - start),
          plan_ms: -1,
          calls: counted.calls,
          event_from: counted.event_from,
          placed: placement([a, b], vm.uuid),
          methods: counted.methods,
        })
      )
    }
  }
  await a.disconnect()
  await b.disconnect()
}

// At most `limit` at once per key.
function limiter(limit) {
  const running = new Map()
  const waiting = new Map()
  return async (key, fn) => {
    if ((running.get(key) ?? 0) >= limit) {
      await new Promise(resolve => {
        if (!waiting.has(key)) waiting.set(key, [])
        waiting.get(key).push(resolve)
      })
    }
    running.set(key, (running.get(key) ?? 0) + 1)
    try {
      return await fn()
    } finally {
      running.set(key, running.get(key) - 1)
      waiting.get(key)?.shift()?.()
    }
  }
}

async function runQueue(url, prefix, n, perHost) {
  const q = await connect(url)
  const target = findHost(q, 'q-2')
  const vms = []
  for (let i = 1; i <= n; i++) vms.push(findVm(q, `${prefix}${String(i).padStart(3, '0')}`))
  await delay(1000)
  await takeCalls('Q')

  const limit = limiter(perHost)
  let running = 0
  let maxRunning = 0
  let retries = 0
  let succeeded = 0
  const hooks = {
    start: () => {
      running++
      maxRunning = Math.max(maxRunning, running)
    },
    end: () => running--,
  }
  const start = performance.now()
  await Promise.all(
    vms.map(vm =>
      limit(vm.resident_on, async () => {
        try {
          retries += await storageMigrate(q, q, vm, target, hooks)
          succeeded++
        } catch (error) {
          console.error(`${vm.name_label}: ${error?.code ?? error}`)
        }
      })
    )
  )
  const end = performance.now()
  await delay(SETTLE_MS)
  const counted = count(await takeCalls('Q'))

  const uuids = new Set(vms.map(vm => vm.uuid))
  const now = all(q, 'VM').filter(o => !o.is_a_template && !o.is_a_snapshot && o.name_label.startsWith(prefix))
  const onTarget = now.filter(o => uuids.has(o.uuid) && o.resident_on === target.$ref).length
  const seconds = (end - start) / 1000
  console.log(
    JSON.stringify({
      client,
      n,
      finished: 1,
      refused: 0,
      succeeded,
      on_target: onTarget,
      vms_in_pool: now.length,
      wall_ms: Math.round(end - start),
      per_minute: seconds > 0 ? (n * 60) / seconds : 0,
      max_running: maxRunning,
      requeued: retries,
      migrate_send: counted.migrate_send,
      distinct_vms_sent: counted.sent_vms,
      calls: counted.calls,
      event_from: counted.event_from,
      methods: counted.methods,
    })
  )
  await q.disconnect()
}

if (mode === 'kinds' && rest.length === 4) {
  await runKinds(rest[0], rest[1], rest[2], Number(rest[3]))
} else if (mode === 'queue' && (rest.length === 3 || rest.length === 4)) {
  await runQueue(rest[0], rest[1], Number(rest[2]), Number(rest[3] ?? 3))
} else {
  console.error('usage: node xen-api-migrate.mjs kinds CONTROL_URL URL_A URL_B PREFIX REPS')
  console.error('       node xen-api-migrate.mjs queue CONTROL_URL URL_Q PREFIX N [PER_HOST]')
  process.exit(2)
}
process.exit(0)
