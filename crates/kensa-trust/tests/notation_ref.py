"""An independent Notary Project signer for kensa's tests, written from the Notary
Project's signature specification (JWS and COSE envelopes, the notary.x509 and
notary.x509.signingAuthority schemes) and the OCI distribution spec, on Python's
standard library, the `cryptography` package and, for COSE, `cbor2`.

  sign --registry HOST --repo REPO --digest D --out-root ROOT.pem
       [--alg ES256|PS256] [--expiry-seconds N] [--leaf-expired] [--cn NAME]
       [--tamper-payload] [--envelope jws|cose] [--scheme x509|signingAuthority]
       [--signing-time-offset SECONDS] [--crl-url URL] [--extra-crit NAME]

Makes a root CA, an intermediate CA and a code-signing leaf, signs the manifest D
(x5c / x5chain = leaf + intermediate), pushes the signature manifest as a referrer of D
and updates the `sha256-<hex>` fallback index. Plain HTTP, no auth. The signing time
(authentic under signingAuthority) is now plus --signing-time-offset.
"""

import argparse
import base64
import datetime
import hashlib
import json
import sys
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ARTIFACT = "application/vnd.cncf.notary.signature"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


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


def upload_blob(base, data, media_type):
    _, headers, _ = request("POST", base + "/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base.split("/v2/")[0] + location
    sep = "&" if "?" in location else "?"
    request("PUT", location + sep + "digest=" + sha256(data), data, "application/octet-stream")
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data)}


def name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kensa Test"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def cert(subject_cn, subject_key, issuer_cn, issuer_key, ca, start, end, crl_url=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject_cn))
        .issuer_name(name(issuer_cn))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        if crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None,
                reasons=None, crl_issuer=None)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_bytes(args, key, data):
    if args.alg == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return key.sign(data, pss, hashes.SHA256())


def scheme_name(args):
    return "notary.x509" if args.scheme == "x509" else "notary.x509.signingAuthority"


def crit_names(args, expiry):
    crit = ["io.cncf.notary.signingScheme"]
    if args.scheme == "signingAuthority":
        crit.append("io.cncf.notary.authenticSigningTime")
    if expiry is not None:
        crit.append("io.cncf.notary.expiry")
    if args.extra_crit:
        crit.append(args.extra_crit)
    return crit


def notary_fields(args, signed_at, expiry, encode_time):
    """The Notary Project's named protected header parameters, times encoded the
    envelope's way (RFC 3339 text for JWS, CBOR tag 1 for COSE)."""
    fields = {"io.cncf.notary.signingScheme": scheme_name(args)}
    if args.scheme == "x509":
        fields["io.cncf.notary.signingTime"] = encode_time(signed_at)
    else:
        fields["io.cncf.notary.authenticSigningTime"] = encode_time(signed_at)
    if expiry is not None:
        fields["io.cncf.notary.expiry"] = encode_time(expiry)
    if args.extra_crit:
        fields[args.extra_crit] = "x"
    return fields


def jws_envelope(args, key, payload, target, signed_at, expiry, chain):
    protected = {
        "alg": args.alg,
        "crit": crit_names(args, expiry),
        "cty": "application/vnd.cncf.notary.payload.v1+json",
    }
    protected.update(notary_fields(args, signed_at, expiry, rfc3339))
    protected_b64 = b64url(json.dumps(protected).encode())
    payload_b64 = b64url(payload)
    signature = sign_bytes(args, key, (protected_b64 + "." + payload_b64).encode())
    if args.tamper_payload:
        target["size"] += 1
        payload_b64 = b64url(json.dumps({"targetArtifact": target}).encode())
    return json.dumps({
        "payload": payload_b64,
        "protected": protected_b64,
        "header": {
            "x5c": [base64.b64encode(c).decode() for c in chain],
            "io.cncf.notary.signingAgent": "notation_ref.py",
        },
        "signature": b64url(signature),
    }).encode()


# COSE algorithm identifiers (IANA) of the algorithms above.
COSE_ALG = {"ES256": -7, "PS256": -37}


def cose_envelope(args, key, payload, target, signed_at, expiry, chain):
    import cbor2  # only the COSE tests need it

    protected = {
        1: COSE_ALG[args.alg],
        2: crit_names(args, expiry),
        3: "application/vnd.cncf.notary.payload.v1+json",
    }
    protected.update(notary_fields(args, signed_at, expiry,
                                   lambda t: cbor2.CBORTag(1, int(t.timestamp()))))
    body_protected = cbor2.dumps(protected)
    # Sig_structure for COSE_Sign1 (RFC 9052 section 4.4).
    to_be_signed = cbor2.dumps(["Signature1", body_protected, b"", payload])
    signature = sign_bytes(args, key, to_be_signed)
    if args.tamper_payload:
        target["size"] += 1
        payload = json.dumps({"targetArtifact": target}).encode()
    unprotected = {33: chain, "io.cncf.notary.signingAgent": "notation_ref.py"}
    return cbor2.dumps(cbor2.CBORTag(18, [body_protected, unprotected, payload, signature]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["sign"])
    p.add_argument("--registry", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--digest", required=True)
    p.add_argument("--out-root", required=True)
    p.add_argument("--alg", default="ES256")
    p.add_argument("--expiry-seconds", type=int)
    p.add_argument("--leaf-expired", action="store_true")
    p.add_argument("--cn", default="release signer")
    p.add_argument("--tamper-payload", action="store_true")
    p.add_argument("--envelope", choices=["jws", "cose"], default="jws")
    p.add_argument("--scheme", choices=["x509", "signingAuthority"], default="x509")
    p.add_argument("--signing-time-offset", type=int, default=0)
    p.add_argument("--crl-url")
    p.add_argument("--extra-crit")
    args = p.parse_args()

    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    inter_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = (ec.generate_private_key(ec.SECP256R1()) if args.alg == "ES256"
                else rsa.generate_private_key(public_exponent=65537, key_size=2048))
    root = cert("test root", root_key, "test root", root_key, True, now - day, now + 30 * day)
    inter = cert("test intermediate", inter_key, "test root", root_key, True, now - day, now + 20 * day)
    if args.leaf_expired:
        leaf = cert(args.cn, leaf_key, "test intermediate", inter_key, False, now - 10 * day, now - day, args.crl_url)
    else:
        leaf = cert(args.cn, leaf_key, "test intermediate", inter_key, False, now - day, now + 10 * day, args.crl_url)
    with open(args.out_root, "wb") as f:
        f.write(root.public_bytes(serialization.Encoding.PEM))

    base = "http://%s/v2/%s" % (args.registry, args.repo)
    _, headers, subject = request("GET", "%s/manifests/%s" % (base, args.digest),
                                  accept=OCI_MANIFEST + "," + OCI_INDEX)
    media_type = headers.get("Content-Type", OCI_MANIFEST).split(";")[0]
    target = {"mediaType": media_type, "digest": args.digest, "size": len(subject)}
    payload = json.dumps({"targetArtifact": target}).encode()
    signed_at = now + datetime.timedelta(seconds=args.signing_time_offset)
    expiry = (None if args.expiry_seconds is None
              else now + datetime.timedelta(seconds=args.expiry_seconds))
    chain = [c.public_bytes(serialization.Encoding.DER) for c in (leaf, inter)]
    if args.envelope == "jws":
        envelope = jws_envelope(args, leaf_key, payload, target, signed_at, expiry, chain)
        layer = upload_blob(base, envelope, "application/jose+json")
    else:
        envelope = cose_envelope(args, leaf_key, payload, target, signed_at, expiry, chain)
        layer = upload_blob(base, envelope, "application/cose")
    empty = upload_blob(base, b"{}", "application/vnd.oci.empty.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": ARTIFACT,
                "config": empty, "layers": [layer], "subject": target}
    body = json.dumps(manifest).encode()
    _, put_headers, _ = request("PUT", "%s/manifests/%s" % (base, sha256(body)), body, OCI_MANIFEST)
    if "OCI-Subject" not in put_headers:
        tag = "%s/manifests/sha256-%s" % (base, args.digest.split(":", 1)[1])
        try:
            _, _, existing = request("GET", tag, accept=OCI_INDEX)
            index = json.loads(existing)
        except urllib.error.HTTPError:
            index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
        index["manifests"].append({"mediaType": OCI_MANIFEST, "digest": sha256(body),
                                   "size": len(body), "artifactType": ARTIFACT})
        request("PUT", tag, json.dumps(index).encode(), OCI_INDEX)
    return 0


if __name__ == "__main__":
    sys.exit(main())
