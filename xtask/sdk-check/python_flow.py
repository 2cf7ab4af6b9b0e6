"""Drives the emulator with the official Tencent Cloud Python SDK, unchanged.

Usage: python_flow.py HOST:PORT OUTDIR

Runs the seed flow by POST and by GET on both demo instances (CreateBackupDBInstance, then
DescribeAsyncRequestInfo until success, DescribeDBBackups with BackupMethod,
CreateBackupDownloadTask, DescribeBackupDownloadTask until every task has status 2, then
fetches each Url into OUTDIR), the error cases (unknown instance, wrong key), and a call with
each legacy signature method. Prints one JSON report on stdout; the Rust test
tests/tests/official_sdks.rs checks it (CRC-64 of the files included).
"""

import json
import os
import sys
import urllib.request

import tencentcloud
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.mongodb.v20190725 import models, mongodb_client

ENDPOINT, OUTDIR = sys.argv[1], sys.argv[2]
DEMO_ID, DEMO_KEY = "AKIDEMULATOR0000DEMO", "emulator-demo-secret-key"
INSTANCES = {"cmgo-demo0001": ["cmgo-demo0001_0"], "cmgo-demo0002": ["cmgo-demo0002_0", "cmgo-demo0002_1"]}


def client(method, secret_key=DEMO_KEY, sign_method=None):
    http = HttpProfile(protocol="http", endpoint=ENDPOINT, reqMethod=method)
    profile = ClientProfile(signMethod=sign_method, httpProfile=http)
    return mongodb_client.MongodbClient(credential.Credential(DEMO_ID, secret_key), "ap-guangzhou", profile)


def request(model, **fields):
    req = model()
    req.from_json_string(json.dumps(fields))
    return req


def poll(call, done):
    """Calls until done(answer); returns every answer (the emulator moves one step per poll)."""
    answers = []
    while len(answers) < 20:
        answers.append(call())
        if done(answers[-1]):
            return answers
    raise SystemExit(f"not done after 20 polls: {answers[-1].to_json_string()}")


def backup_flow(method, instance, sets):
    c = client(method)
    listing = request(models.DescribeDBBackupsRequest, InstanceId=instance, BackupMethod=0, Limit=100)
    before = {b.BackupName for b in c.DescribeDBBackups(listing).BackupList}
    created = c.CreateBackupDBInstance(request(
        models.CreateBackupDBInstanceRequest, InstanceId=instance, BackupMethod=0, BackupRemark="python sdk"))
    status = request(models.DescribeAsyncRequestInfoRequest, AsyncRequestId=str(created.AsyncRequestId))
    infos = poll(lambda: c.DescribeAsyncRequestInfo(status), lambda a: a.Status == "success")

    fresh = [b.BackupName for b in c.DescribeDBBackups(listing).BackupList if b.BackupName not in before]
    c.CreateBackupDownloadTask(request(
        models.CreateBackupDownloadTaskRequest, InstanceId=instance, BackupName=fresh[0],
        BackupSets=[{"ReplicaSetId": s} for s in sets]))
    query = request(models.DescribeBackupDownloadTaskRequest, InstanceId=instance, BackupName=fresh[0])
    answers = poll(lambda: c.DescribeBackupDownloadTask(query),
                   lambda a: a.Tasks and all(t.Status == 2 for t in a.Tasks))

    files = []
    for task in answers[-1].Tasks:
        path = os.path.join(OUTDIR, f"python-{method}-{task.ReplicaSetId}.tar")
        with urllib.request.urlopen(task.Url) as resp, open(path, "wb") as out:
            out.write(resp.read())
            crc = resp.headers.get("x-cos-hash-crc64ecma")
        files.append({"replica_set": task.ReplicaSetId, "path": path, "crc64": crc,
                      "bytes": os.path.getsize(path), "backup_size": task.BackupSize})
    return {"method": method, "instance": instance, "new_backups": fresh,
            "async_statuses": [a.Status for a in infos],
            "task_statuses": [[t.Status for t in a.Tasks] for a in answers], "files": files}


def error_case(name, call):
    try:
        call()
    except TencentCloudSDKException as e:
        return {"case": name, "exception": type(e).__name__, "code": e.code, "request_id": e.requestId}
    return {"case": name, "exception": None, "code": None, "request_id": None}


report = {"sdk": f"tencentcloud-sdk-python {tencentcloud.__version__}", "flows": [], "errors": [], "legacy": []}
for method in ("POST", "GET"):
    for instance, sets in INSTANCES.items():
        report["flows"].append(backup_flow(method, instance, sets))
    unknown = request(models.CreateBackupDBInstanceRequest, InstanceId="cmgo-nope0000", BackupMethod=0)
    report["errors"].append(error_case(
        f"unknown_instance/{method}", lambda: client(method).CreateBackupDBInstance(unknown)))
    report["errors"].append(error_case(
        f"wrong_key/{method}",
        lambda: client(method, secret_key="wrong").DescribeDBInstances(models.DescribeDBInstancesRequest())))
for sign_method, method in (("HmacSHA256", "POST"), ("HmacSHA256", "GET"), ("HmacSHA1", "GET")):
    answer = client(method, sign_method=sign_method).DescribeDBInstances(
        request(models.DescribeDBInstancesRequest, InstanceIds=["cmgo-demo0002"]))
    report["legacy"].append({"sign_method": sign_method, "method": method, "total": answer.TotalCount})
print(json.dumps(report))
