"""BoldSign's own Python SDK (boldsign==3.3.4) against boldsign-mock: all three identity-verification endpoints.

Run by Scripts/check-python-sdk.sh, which installs the SDK and starts the mock; argv[1] is the mock's base URL.
Exits non-zero, naming the check, when the mock answers anything the SDK does not take as BoldSign would.
"""
import hashlib
import sys

import boldsign
from boldsign.api import IdentityVerificationApi
from boldsign.models import DownloadImageRequest, EmbeddedFileDetails, VerificationDataRequest

DOCUMENT = "7d3e7a52-3c1b-4f4e-9a51-0b8f6c2a9e11"
SAMPLE_SHA256 = {  # SampleImage.sha256
    "id-card-front": "cc38229bfda5b249f2638ff55579c2992f5115560fced7db489f24e9290279e1",
    "selfie": "bcb530a1f5cc6a81173966da5c5985dca7106bb1db7d74b752df305be344d8a5",
}


def api(**credentials):
    configuration = boldsign.Configuration(host=sys.argv[1], **credentials)
    return IdentityVerificationApi(boldsign.ApiClient(configuration))


def expect_status(status, call, what):
    try:
        call()
    except boldsign.ApiException as error:
        if error.status == status:
            return
        sys.exit(f"{what}: expected HTTP {status}, got {error.status}")
    sys.exit(f"{what}: expected HTTP {status}, got success")


client = api(api_key="test-api-key")

report = client.report(DOCUMENT, VerificationDataRequest(emailId="alex.gayle@example.com", order=1))
files = report.document.document_files + [report.document.selfie_file]
assert report.verification_result == "Verified" and len(files) == 3, f"report: {report}"

front = client.image(DOCUMENT, DownloadImageRequest(emailId="alex.gayle@example.com", order=1, fileId=files[0]))
assert hashlib.sha256(front).hexdigest() == SAMPLE_SHA256["id-card-front"], "image: not the ID card's front"

bearer = api(access_token="test-access-token")
phone = VerificationDataRequest(countryCode="+1", phoneNumber="5550100123", order=2, onBehalfOf="sender@example.com")
phone_report = bearer.report(DOCUMENT, phone)
selfie = bearer.image(DOCUMENT, DownloadImageRequest(countryCode="+1", phoneNumber="5550100123", order=2,
                                                     onBehalfOf="sender@example.com", fileId=phone_report.document.selfie_file))
assert hashlib.sha256(selfie).hexdigest() == SAMPLE_SHA256["selfie"], "image by phone with a bearer token: not the selfie"

link = client.create_embedded_verification_url(
    DOCUMENT, EmbeddedFileDetails(emailId="failed.check@example.com", order=3, redirectUrl="https://example.com/reviewed"))
assert link.url and link.url.startswith("https://"), f"create_embedded_verification_url: {link}"

# The errors BoldSign's own SDK integration tests expect.
expect_status(400, lambda: client.create_embedded_verification_url(
    DOCUMENT, EmbeddedFileDetails(emailId="alex.gayle@example.com", order=1)), "embedded URL for a verified signer")
expect_status(403, lambda: client.image(DOCUMENT, DownloadImageRequest(emailId="alex.gayle@example.com", order=1,
                                                                       fileId="invalid-file-id")), "image with an invalid file id")
expect_status(401, lambda: api(api_key="wrong").report(DOCUMENT, VerificationDataRequest(emailId="alex.gayle@example.com")),
              "report with a wrong key")
print("Python SDK boldsign 3.3.4 against boldsign-mock: report, image and create_embedded_verification_url OK")
