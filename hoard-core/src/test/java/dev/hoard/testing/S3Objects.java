package dev.hoard.testing;

import com.github.davidmoten.aws.lw.client.Client;
import com.github.davidmoten.aws.lw.client.HttpMethod;
import com.github.davidmoten.aws.lw.client.Response;
import com.github.davidmoten.aws.lw.client.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Looks at and changes a test store's objects behind hoard's back, on any {@link S3Server}. */
public final class S3Objects {
    private final Client client;
    private final String bucket;

    private S3Objects(Client client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    public static S3Objects of(S3Server server) {
        String base = server.endpoint() + "/";
        return new S3Objects(Client.s3().region(server.region()).accessKey(server.accessKey())
                .secretKey(server.secretKey()).baseUrlFactory((service, region) -> base)
                .connectTimeout(2, TimeUnit.SECONDS).readTimeout(10, TimeUnit.SECONDS).retryMaxAttempts(1).build(),
                server.bucket());
    }

    /** Creates the server's bucket (fixtures call it once). */
    void createBucket() {
        Response response = client.path(bucket).method(HttpMethod.PUT).response();
        if (!response.isOk()) {
            throw new IllegalStateException("could not create bucket " + bucket + ": " + response.statusCode() + " "
                    + response.contentUtf8());
        }
    }

    public void put(String key, byte[] body) {
        client.path(bucket, key).method(HttpMethod.PUT).requestBody(body).execute();
    }

    public byte[] get(String key) {
        return client.path(bucket, key).responseAsBytes();
    }

    /** Every key under {@code prefix}. */
    public List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            var request = client.path(bucket).query("list-type", "2").query("prefix", prefix);
            if (token != null) {
                request = request.query("continuation-token", token);
            }
            XmlElement root = XmlElement.parse(request.responseAsUtf8());
            root.childrenWithName("Contents").forEach(c -> keys.add(c.content("Key")));
            token = "true".equals(root.content("IsTruncated")) ? root.content("NextContinuationToken") : null;
        } while (token != null);
        return keys;
    }
}
