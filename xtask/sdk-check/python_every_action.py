"""Sends every action of the API through the official Tencent Cloud Python SDK, unchanged.

Usage: python_every_action.py HOST:PORT CALLS.json

CALLS.json (written by tests/tests/official_sdks.rs from the models' registry and the committed
spec's examples) holds {"reset_url": URL, "calls": [{"action": NAME, "params": {...}}, ...]}.
For each call the emulator's state is reset (so every action starts from the seeded demo
instances), the parameters are loaded into the SDK's own request model with from_json_string,
and the SDK's method of that name sends it. Prints one JSON report on stdout: the SDK's version
and, per action, the error code it answered (null for a success) and the message.
"""

import json
import sys
import urllib.request

import tencentcloud
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.mongodb.v20190725 import models, mongodb_client

ENDPOINT, CALLS = sys.argv[1], sys.argv[2]
DEMO_ID, DEMO_KEY = "AKIDEMULATOR0000DEMO", "emulator-demo-secret-key"


def client():
    http = HttpProfile(protocol="http", endpoint=ENDPOINT, reqMethod="POST")
    return mongodb_client.MongodbClient(
        credential.Credential(DEMO_ID, DEMO_KEY), "ap-guangzhou", ClientProfile(httpProfile=http))


def reset(url):
    req = urllib.request.Request(url, data=b"{}", method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        resp.read()


def send(c, action, params):
    """Returns (code, message): (None, "") for a success."""
    model = getattr(models, f"{action}Request", None)
    method = getattr(c, action, None)
    if model is None or method is None:
        return "SdkHasNoSuchAction", f"the SDK has no {action}Request model or {action} method"
    request = model()
    request.from_json_string(json.dumps(params))
    try:
        method(request)
    except TencentCloudSDKException as e:
        return e.code, e.message
    return None, ""


with open(CALLS) as f:
    plan = json.load(f)
c = client()
results = []
for call in plan["calls"]:
    reset(plan["reset_url"])
    code, message = send(c, call["action"], call["params"])
    results.append({"action": call["action"], "code": code, "message": message})
print(json.dumps({"sdk": f"tencentcloud-sdk-python {tencentcloud.__version__}", "results": results}))
