"""An independent implementation of cosign key-based signing and verification, for
kensa's tests: written from cosign's published SIGNATURE_SPEC and the OCI distribution
spec, on Python's standard library (urllib) and the `cryptography` package, sharing no
code with kensa.

  sign   --registry HOST --repo REPO --digest D --key-type p256|rsa|rsa-pss|ed25519
         --out-pub FILE [--referrers] [--private-key PEM [--password PW]]
  verify --registry HOST --repo REPO --digest D --pub FILE

Talks plain HTTP to a test registry without auth. `verify` exits 0 when a signature
verifies and signs D, 1 otherwise, printing why.
"""

import argparse
import base64
import hashlib
import json
import sys
import urllib.error
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(method, url, body=None, content_type=None, accept=None):
    req = urllib.request.Request(url, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if accept:
        req.add_header("Accept", accept)
    with urllib.request.urlopen(req) as resp:
        return resp.status, dict(resp.headers), resp.read()


def upload_blob(base, data):
    digest = sha256(data)
    _, headers, _ = request("POST", base + "/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base.split("/v2/")[0] + location
    sep = "&" if "?" in location else "?"
    request("PUT", location + sep + "digest=" + digest, data, "application/octet-stream")
    return {"mediaType": "application/octet-stream", "digest": digest, "size": len(data)}


def payload_for(repo_ref, digest):
    doc = {
        "critical": {
            "identity": {"docker-reference": repo_ref},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": {"creator": "cosign_ref.py"},
    }
    return json.dumps(doc, sort_keys=True).encode()


def new_key(kind):
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind in ("rsa", "rsa-pss"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise SystemExit("unknown key type " + kind)


def sign_bytes(key, kind, data):
    if kind == "p256":
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if kind == "rsa":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if kind == "rsa-pss":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
        return key.sign(data, pss, hashes.SHA256())
    return key.sign(data)


def cmd_sign(args):
    base = "http://%s/v2/%s" % (args.registry, args.repo)
    if args.private_key:
        with open(args.private_key, "rb") as f:
            password = args.password.encode() if args.password else None
            key = serialization.load_pem_private_key(f.read(), password=password)
    else:
        key = new_key(args.key_type)
    with open(args.out_pub, "wb") as f:
        f.write(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    payload = payload_for("%s/%s" % (args.registry, args.repo), args.digest)
    signature = base64.b64encode(sign_bytes(key, args.key_type, payload)).decode()
    layer = upload_blob(base, payload)
    layer["mediaType"] = SIMPLE_SIGNING
    layer["annotations"] = {SIG_ANNOTATION: signature}
    hexpart = args.digest.split(":", 1)[1]
    if not args.referrers:
        config = json.dumps(
            {"architecture": "", "os": "", "config": {},
             "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}
        ).encode()
        cfg = upload_blob(base, config)
        cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg, "layers": [layer]}
        body = json.dumps(manifest).encode()
        request("PUT", "%s/manifests/sha256-%s.sig" % (base, hexpart), body, OCI_MANIFEST)
        return 0
    _, headers, subject = request("GET", "%s/manifests/%s" % (base, args.digest), accept=OCI_MANIFEST + "," + OCI_INDEX)
    empty = upload_blob(base, b"{}")
    empty["mediaType"] = "application/vnd.oci.empty.v1+json"
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": SIG_ARTIFACT,
        "config": empty, "layers": [layer],
        "subject": {"mediaType": headers.get("Content-Type", OCI_MANIFEST).split(";")[0],
                    "digest": args.digest, "size": len(subject)},
    }
    body = json.dumps(manifest).encode()
    _, put_headers, _ = request("PUT", "%s/manifests/%s" % (base, sha256(body)), body, OCI_MANIFEST)
    if "OCI-Subject" not in put_headers:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": sha256(body), "size": len(body),
             "artifactType": SIG_ARTIFACT}]}
        request("PUT", "%s/manifests/sha256-%s" % (base, hexpart), json.dumps(index).encode(), OCI_INDEX)
    return 0


def verify_with(public, data, sig):
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(sig, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(public, rsa.RSAPublicKey):
        public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        public.verify(sig, data)


def cmd_verify(args):
    base = "http://%s/v2/%s" % (args.registry, args.repo)
    with open(args.pub, "rb") as f:
        public = serialization.load_pem_public_key(f.read())
    hexpart = args.digest.split(":", 1)[1]
    try:
        _, _, body = request("GET", "%s/manifests/sha256-%s.sig" % (base, hexpart), accept=OCI_MANIFEST)
    except urllib.error.HTTPError as e:
        print("no signature manifest: HTTP %d" % e.code)
        return 1
    manifest = json.loads(body)
    for layer in manifest.get("layers", []):
        if layer.get("mediaType") != SIMPLE_SIGNING:
            continue
        _, _, payload = request("GET", "%s/blobs/%s" % (base, layer["digest"]))
        if sha256(payload) != layer["digest"]:
            print("payload digest mismatch")
            continue
        sig = base64.b64decode(layer["annotations"][SIG_ANNOTATION])
        try:
            verify_with(public, payload, sig)
        except InvalidSignature:
            print("signature does not verify with the key")
            continue
        doc = json.loads(payload)
        critical = doc["critical"]
        if critical["type"] != "cosign container image signature":
            print("wrong payload type")
            continue
        if critical["image"]["docker-manifest-digest"] != args.digest:
            print("payload signs another digest")
            continue
        print("verified")
        return 0
    return 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    v = sub.add_parser("verify")
    for p in (s, v):
        p.add_argument("--registry", required=True)
        p.add_argument("--repo", required=True)
        p.add_argument("--digest", required=True)
    s.add_argument("--key-type", required=True)
    s.add_argument("--out-pub", required=True)
    s.add_argument("--referrers", action="store_true")
    s.add_argument("--private-key", help="sign with this PKCS#8 PEM key instead of a new one")
    s.add_argument("--password", help="its passphrase, when encrypted")
    v.add_argument("--pub", required=True)
    args = parser.parse_args()
    return cmd_sign(args) if args.cmd == "sign" else cmd_verify(args)


if __name__ == "__main__":
    sys.exit(main())
