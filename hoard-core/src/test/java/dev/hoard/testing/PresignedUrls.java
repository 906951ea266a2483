package dev.hoard.testing;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Presigned GET URLs for objects of an {@link S3Server}, which any HTTP client (curl, {@code java.net.http}) can
 * fetch, ranges included, without credentials. Signed by the AWS SDK's own SigV4 signer with only {@code host} among
 * the signed headers: aws-lightweight-client-java 0.1.24 also signs {@code x-amz-content-sha256}, which a plain client
 * does not send, so Ceph refuses its URLs ({@code CephRgwTest} shows it).
 */
public final class PresignedUrls {
    private PresignedUrls() {
    }

    /** A URL that GETs {@code key} from the server's bucket for {@code expiry}. */
    public static URI get(S3Server server, String key, Duration expiry) {
        URI object = URI.create(server.endpoint() + "/" + server.bucket() + "/"
                + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(object).build();
        return AwsV4HttpSigner.create().sign(signing -> signing
                .identity(AwsCredentialsIdentity.create(server.accessKey(), server.secretKey()))
                .request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, server.region())
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expiry)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false))
                .request().getUri();
    }
}
