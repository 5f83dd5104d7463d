"""boto3's put/get_bucket_notification_configuration against webhook targets declared in a
configuration file, and the S3 event message a loopback receiver gets."""

import json
import os
import queue
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from botocore.exceptions import ClientError


class Receiver:
    """A webhook receiver on loopback: every POST's body, parsed, goes into a queue."""

    def __init__(self):
        got = self.got = queue.Queue()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                got.put((self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hook"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def next(self):
        return self.got.get(timeout=30)


@pytest.fixture(scope="module")
def hooked():
    """An ossemu with one webhook target, `orders`, and the receiver behind it."""
    from conftest import Ossemu, s3_client

    rx = Receiver()
    conf = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    conf.write(f'[[webhooks]]\nname = "orders"\nurl = "{rx.url}"\n'
               'auth_header = "Authorization: Bearer hook-token"\n')
    conf.close()
    server = Ossemu(args=["--config", conf.name])
    try:
        yield s3_client(server), rx
    finally:
        server.stop()
        rx.http.shutdown()
        os.unlink(conf.name)


def test_boto3_notification_configuration_and_delivery(hooked, bucket_name):
    s3, rx = hooked
    s3.create_bucket(Bucket=bucket_name)
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket_name)
    s3.put_bucket_notification_configuration(
        Bucket=bucket_name,
        NotificationConfiguration={
            "QueueConfigurations": [{
                "Id": "csv",
                "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}},
            }],
        },
    )
    got = s3.get_bucket_notification_configuration(Bucket=bucket_name)
    q = got["QueueConfigurations"][0]
    assert q["Id"] == "csv"
    assert q["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:orders"
    assert q["Events"] == ["s3:ObjectCreated:*"]
    assert q["Filter"]["Key"]["FilterRules"] == [{"Name": "suffix", "Value": ".csv"}]

    s3.put_object(Bucket=bucket_name, Key="skip.txt", Body=b"no")
    s3.put_object(Bucket=bucket_name, Key="in/day 1.csv", Body=b"a,b\n")
    path, headers, msg = rx.next()
    assert path == "/hook"
    assert headers["authorization"] == "Bearer hook-token"
    assert headers["content-type"] == "application/json"
    rec = msg["Records"][0]
    assert rec["eventName"] == "ObjectCreated:Put"
    assert rec["s3"]["bucket"]["name"] == bucket_name
    assert rec["s3"]["configurationId"] == "csv"
    assert rec["s3"]["object"]["key"] == "in/day+1.csv"
    assert rec["s3"]["object"]["size"] == 4
    assert rx.got.empty(), "skip.txt did not match the filter"


def test_boto3_unknown_target_is_refused(hooked, bucket_name):
    s3, _ = hooked
    s3.create_bucket(Bucket=bucket_name)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(
            Bucket=bucket_name,
            NotificationConfiguration={"TopicConfigurations": [{
                "TopicArn": "arn:aws:sns:us-east-1:000000000000:nowhere",
                "Events": ["s3:ObjectRemoved:*"],
            }]},
        )
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidArgument"
    assert err["Message"] == "Unable to validate the following destination configurations"
