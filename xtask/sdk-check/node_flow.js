// Drives the emulator with the official Tencent Cloud Node.js SDK, unchanged.
//
// Usage: NODE_PATH=<dir>/node_modules node node_flow.js HOST:PORT OUTDIR
//
// Runs the seed flow by POST and by GET (httpProfile.reqMethod) on both demo instances
// (CreateBackupDBInstance, then DescribeAsyncRequestInfo until success, DescribeDBBackups with
// BackupMethod, CreateBackupDownloadTask, DescribeBackupDownloadTask until every task has
// status 2, then fetches each Url into OUTDIR), the error cases (unknown instance, wrong key),
// and a call with the legacy HmacSHA256 signature. Prints one JSON report on stdout; the Rust
// test tests/tests/official_sdks.rs checks it (CRC-64 of the files included).
"use strict"

const fs = require("fs")
const path = require("path")
const tencentcloud = require("tencentcloud-sdk-nodejs-mongodb")
const { sdkVersion } = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sdk_version")

const [endpoint, outdir] = process.argv.slice(2)
const DEMO_ID = "AKIDEMULATOR0000DEMO"
const DEMO_KEY = "emulator-demo-secret-key"
const INSTANCES = {
  "cmgo-demo0001": ["cmgo-demo0001_0"],
  "cmgo-demo0002": ["cmgo-demo0002_0", "cmgo-demo0002_1"],
}

function client(method, secretKey = DEMO_KEY, signMethod = undefined) {
  const Client = tencentcloud.mongodb.v20190725.Client
  return new Client({
    credential: { secretId: DEMO_ID, secretKey },
    region: "ap-guangzhou",
    profile: { signMethod, httpProfile: { endpoint, protocol: "http://", reqMethod: method } },
  })
}

// Calls until done(answer); returns every answer (the emulator moves one step per poll).
async function poll(call, done) {
  const answers = []
  while (answers.length < 20) {
    answers.push(await call())
    if (done(answers[answers.length - 1])) return answers
  }
  throw new Error(`not done after 20 polls: ${JSON.stringify(answers[answers.length - 1])}`)
}

async function backupFlow(method, instance, sets) {
  const c = client(method)
  const listing = { InstanceId: instance, BackupMethod: 0, Limit: 100 }
  const before = new Set((await c.DescribeDBBackups(listing)).BackupList.map((b) => b.BackupName))
  const created = await c.CreateBackupDBInstance({
    InstanceId: instance, BackupMethod: 0, BackupRemark: "node sdk",
  })
  const infos = await poll(
    () => c.DescribeAsyncRequestInfo({ AsyncRequestId: String(created.AsyncRequestId) }),
    (a) => a.Status === "success")

  const fresh = (await c.DescribeDBBackups(listing)).BackupList
    .map((b) => b.BackupName).filter((n) => !before.has(n))
  await c.CreateBackupDownloadTask({
    InstanceId: instance, BackupName: fresh[0], BackupSets: sets.map((s) => ({ ReplicaSetId: s })),
  })
  const answers = await poll(
    () => c.DescribeBackupDownloadTask({ InstanceId: instance, BackupName: fresh[0] }),
    (a) => a.Tasks.length > 0 && a.Tasks.every((t) => t.Status === 2))

  const files = []
  for (const task of answers[answers.length - 1].Tasks) {
    const file = path.join(outdir, `node-${method}-${task.ReplicaSetId}.tar`)
    const resp = await fetch(task.Url)
    fs.writeFileSync(file, Buffer.from(await resp.arrayBuffer()))
    files.push({
      replica_set: task.ReplicaSetId, path: file, crc64: resp.headers.get("x-cos-hash-crc64ecma"),
      bytes: fs.statSync(file).size, backup_size: task.BackupSize,
    })
  }
  return {
    method, instance, new_backups: fresh,
    async_statuses: infos.map((a) => a.Status),
    task_statuses: answers.map((a) => a.Tasks.map((t) => t.Status)),
    files,
  }
}

async function errorCase(name, call) {
  try {
    await call()
  } catch (e) {
    return { case: name, exception: e.constructor.name, code: e.code ?? null, request_id: e.requestId || null }
  }
  return { case: name, exception: null, code: null, request_id: null }
}

async function main() {
  const report = { sdk: `tencentcloud-sdk-nodejs ${sdkVersion}`, flows: [], errors: [], legacy: [] }
  for (const method of ["POST", "GET"]) {
    for (const [instance, sets] of Object.entries(INSTANCES)) {
      report.flows.push(await backupFlow(method, instance, sets))
    }
    report.errors.push(await errorCase(`unknown_instance/${method}`,
      () => client(method).CreateBackupDBInstance({ InstanceId: "cmgo-nope0000", BackupMethod: 0 })))
    report.errors.push(await errorCase(`wrong_key/${method}`,
      () => client(method, "wrong").DescribeDBInstances({})))
  }
  for (const [signMethod, method] of [["HmacSHA256", "POST"], ["HmacSHA256", "GET"], ["HmacSHA1", "GET"]]) {
    const answer = await client(method, DEMO_KEY, signMethod)
      .DescribeDBInstances({ InstanceIds: ["cmgo-demo0002"] })
    report.legacy.push({ sign_method: signMethod, method, total: answer.TotalCount })
  }
  console.log(JSON.stringify(report))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
