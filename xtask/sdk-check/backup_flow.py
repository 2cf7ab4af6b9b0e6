"""Drives the emulator with the official Tencent Cloud Python SDK through the seed flow.

Run by `cargo xtask sdk-check`, which installs the SDK into target/sdk-check-venv, starts
`tcmongo emulator` on a free port and passes its address as the first argument. Exits non-zero
on the first mismatch.
"""

import json
import sys
import time

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.mongodb.v20190725 import models, mongodb_client

ENDPOINT = sys.argv[1]  # host:port
DEMO_ID, DEMO_KEY = "AKIDEMULATOR0000DEMO", "emulator-demo-secret-key"


def client(method="POST", secret_id=DEMO_ID, secret_key=DEMO_KEY):
    http = HttpProfile(endpoint=ENDPOINT, reqMethod=method, protocol="http")
    http.scheme = "http"
    return mongodb_client.MongodbClient(
        credential.Credential(secret_id, secret_key), "ap-guangzhou", ClientProfile(httpProfile=http)
    )


def poll(fetch, done, what):
    for _ in range(200):
        answer = fetch()
        if done(answer):
            return answer
        time.sleep(0.05)
    raise SystemExit(f"{what}: not done after 200 polls: {answer.to_json_string()}")


def expect_error(code, call):
    try:
        call()
    except TencentCloudSDKException as e:
        assert e.code == code, f"expected {code}, got {e.code}: {e.message}"
        assert e.requestId, "error without RequestId"
        return
    raise SystemExit(f"expected {code}, the call succeeded")


def backup_flow(method, instance, sets):
    c = client(method)
    listing = models.DescribeDBBackupsRequest()
    listing.InstanceId = instance
    listing.Limit = 100
    backups_before = c.DescribeDBBackups(listing).BackupList
    req = models.CreateBackupDBInstanceRequest()
    req.from_json_string(json.dumps({"InstanceId": instance, "BackupMethod": 0, "BackupRemark": "sdk"}))
    created = c.CreateBackupDBInstance(req)
    assert created.AsyncRequestId, created.to_json_string()

    status = models.DescribeAsyncRequestInfoRequest()
    status.AsyncRequestId = created.AsyncRequestId
    poll(lambda: c.DescribeAsyncRequestInfo(status), lambda a: a.Status == "success", "backup")

    backups = c.DescribeDBBackups(listing).BackupList
    before = {b.BackupName for b in backups_before}
    fresh = [b for b in backups if b.BackupName not in before]
    assert len(fresh) == 1, f"expected exactly one new backup, got {len(fresh)}"
    name = fresh[0].BackupName
    assert name.startswith(instance), name

    task = models.CreateBackupDownloadTaskRequest()
    task.from_json_string(json.dumps({
        "InstanceId": instance,
        "BackupName": name,
        "BackupSets": [{"ReplicaSetId": s} for s in sets],
    }))
    assert len(c.CreateBackupDownloadTask(task).Tasks) == len(sets)

    query = models.DescribeBackupDownloadTaskRequest()
    query.InstanceId = instance
    query.BackupName = name
    tasks = poll(lambda: c.DescribeBackupDownloadTask(query),
                 lambda a: a.Tasks and all(t.Status == 2 for t in a.Tasks), "download").Tasks
    assert sorted(t.ReplicaSetId for t in tasks) == sorted(sets), tasks
    assert all(t.Url and t.BackupSize > 0 for t in tasks)
    print(f"{method}: {instance} backup {name!r} -> {len(tasks)} download task(s) completed")


for method in ("POST", "GET"):
    backup_flow(method, "cmgo-demo0001", ["cmgo-demo0001_0"])
    backup_flow(method, "cmgo-demo0002", ["cmgo-demo0002_0", "cmgo-demo0002_1"])

missing = models.CreateBackupDBInstanceRequest()
missing.InstanceId, missing.BackupMethod = "cmgo-nope0000", 0
expect_error("InvalidParameterValue.NotFoundInstance", lambda: client().CreateBackupDBInstance(missing))
no_method = models.CreateBackupDBInstanceRequest()
no_method.InstanceId = "cmgo-demo0001"
expect_error("MissingParameter", lambda: client().CreateBackupDBInstance(no_method))
no_backup = models.CreateBackupDownloadTaskRequest()
no_backup.from_json_string(json.dumps({
    "InstanceId": "cmgo-demo0001", "BackupName": "nope", "BackupSets": [{"ReplicaSetId": "cmgo-demo0001_0"}]}))
expect_error("InvalidParameterValue.BackupFileNotFound", lambda: client().CreateBackupDownloadTask(no_backup))
expect_error("AuthFailure.SignatureFailure",
             lambda: client(secret_key="wrong").DescribeDBInstances(models.DescribeDBInstancesRequest()))
expect_error("AuthFailure.SecretIdNotFound",
             lambda: client(secret_id="AKIDunknown").DescribeDBInstances(models.DescribeDBInstancesRequest()))
print("official Python SDK: backup flow over POST and GET and 5 error cases agree with the emulator")
