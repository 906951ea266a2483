package dev.hoard.cli.prefetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.FetchRequest;
import dev.hoard.Origin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan hands the library what the manifests say: mirrors merged across listings, in order, one request each. */
class PrefetchPlanTest {
    @TempDir
    Path tmp;

    @Test
    void mirrorsFromEveryListingOfAnItemReachTheRequestInOrder() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("a.yaml"), """
                - url: https://primary.example/disk.img
                  mirrors: [https://mirror-1.example/disk.img, https://mirror-2.example/disk.img]
                """);
        Path json = Files.writeString(tmp.resolve("b.json"), """
                [{"url": "https://primary.example/disk.img",
                  "mirrors": ["https://mirror-2.example/disk.img", "https://mirror-3.example/disk.img"]}]
                """);

        List<PrefetchPlan.Fetch> fetches = PrefetchPlan.read(List.of(yaml, json)).fetches();

        assertEquals(1, fetches.size());
        FetchRequest request = fetches.get(0).request();
        assertEquals(URI.create("https://primary.example/disk.img"), request.uri());
        assertEquals(List.of(URI.create("https://mirror-1.example/disk.img"),
                URI.create("https://mirror-2.example/disk.img"), URI.create("https://mirror-3.example/disk.img")),
                request.mirrors());
        assertEquals(List.of(yaml + ":1:3", json + ":1:2"), fetches.get(0).where());
    }

    @Test
    void theSameUrlWithTwoOutputsIsTwoFetchesAndWithoutOutputOne() throws Exception {
        Path text = Files.writeString(tmp.resolve("list"), "https://example.org/a.img\nhttps://example.org/a.img\n");
        Path yaml = Files.writeString(tmp.resolve("outs.yml"), """
                - {url: https://example.org/a.img, output: one.img}
                - {url: https://example.org/a.img, output: sub/../one.img}
                - {url: https://example.org/a.img, output: two.img}
                """);

        List<PrefetchPlan.Fetch> fetches = PrefetchPlan.read(List.of(text, yaml)).fetches();

        assertEquals(List.of("null", tmp.resolve("one.img").toString(), tmp.resolve("two.img").toString()),
                fetches.stream().map(PrefetchPlan.Fetch::request).map(FetchRequest::output)
                        .map(String::valueOf).toList());
    }

    @Test
    void anItemsHeadersGoToItsHostAndWinOverTheCommandLines() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("a.yaml"), """
                - url: https://private.example/disk.img
                  headers: {Authorization: Bearer item-token}
                - url: https://other.example/disk.img
                """);

        List<PrefetchPlan.Fetch> fetches = PrefetchPlan.read(List.of(yaml),
                request -> request.headers(Map.of("Authorization", "Bearer option-token", "X-Team", "a"))).fetches();

        assertEquals(Map.of("Authorization", "Bearer item-token", "X-Team", "a"), fetches.get(0).request()
                .credentials().headers().get(new Origin("https", "private.example", 443)));
        assertEquals(Map.of("Authorization", "Bearer option-token", "X-Team", "a"), fetches.get(1).request()
                .credentials().headers().get(new Origin("https", "other.example", 443)));
    }

    @Test
    void malformedOrConflictingHeadersAreNamedWhereTheyAreWithoutTheirValues() throws Exception {
        for (String items : List.of(
                "- {url: https://a.example/f, headers: {Authorization: [Bearer, s3cret]}}",
                "- {url: https://a.example/f, headers: Bearer s3cret}",
                "- {url: https://a.example/f, headers: {\"Bearer s3cret\": x}}",
                "- {url: https://a.example/f, headers: {X-Token: \"s3cret\\nHost: evil\"}}",
                "- {url: https://a.example/f, headers: {X-Token: s3cret}}\n"
                        + "- {url: https://a.example/f, headers: {X-Token: other-s3cret}}",
                "- {url: \"https://alice:s3cret@a.example/f\", output: o}\n- {url: https://b.example/f, output: o}")) {
            Path yaml = Files.writeString(tmp.resolve("bad.yaml"), items + "\n");

            ManifestException e = assertThrows(ManifestException.class, () -> PrefetchPlan.read(List.of(yaml)),
                    items);

            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
            assertTrue(e.getMessage().startsWith(yaml + ":"), e.getMessage());
        }
    }
}
