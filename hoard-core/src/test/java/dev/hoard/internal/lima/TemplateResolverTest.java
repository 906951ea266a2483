package dev.hoard.internal.lima;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.Digest;
import dev.hoard.testing.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Template locators, base chains merged by embed.go's rules, and what Lima would download: no network. */
class TemplateResolverTest {
    private static final String SHA_A = "sha256:" + "a".repeat(64);
    private static final String SHA_B = "sha256:" + "b".repeat(64);

    @TempDir
    Path dir;

    @Test
    void theTemplatesOwnImagesComeFirstThenEachBaseInOrderEachWithItsOwnBasesFirst() throws Exception {
        write("top.yaml", """
                base: [middle.yaml, other.yaml]
                images:
                - location: https://example.org/top.img
                  arch: x86_64
                """);
        write("middle.yaml", """
                base: template:_images/deep
                images:
                - location: https://example.org/middle.img
                  arch: x86_64
                  digest: %s
                """.formatted(SHA_A));
        write("store/_images/deep.yaml", """
                images:
                - location: https://example.org/deep-arm.img
                  arch: aarch64
                - location: https://example.org/deep.img
                """);
        write("other.yaml", "images:\n- location: https://example.org/other.img\n  arch: x86_64\n");

        LimaPlan plan = plan("top.yaml", "x86_64");

        assertEquals(List.of("https://example.org/top.img", "https://example.org/middle.img",
                "https://example.org/deep.img", "https://example.org/other.img"), locations(plan.groups().getFirst()));
        assertEquals(Digest.parse(SHA_A), plan.groups().getFirst().choices().get(1).main().digest());
        assertEquals(List.of(dir.resolve("top.yaml").toString(), "middle.yaml", "template:_images/deep",
                "other.yaml"), plan.files());
    }

    @Test
    void aFieldTheTemplateSetsWinsEvenNullAndMappingsMergeFieldByField() throws Exception {
        write("base.yaml", """
                arch: aarch64
                containerd:
                  system: true
                  archives:
                  - location: https://example.org/base-ctrd-arm.tgz
                    arch: aarch64
                images:
                - location: https://example.org/arm.img
                  arch: aarch64
                  kernel:
                    location: https://example.org/vmlinuz
                    cmdline: console=ttyAMA0
                  initrd:
                    location: https://example.org/initrd
                """);
        write("top.yaml", """
                base: base.yaml
                containerd:
                  archives:
                  - location: https://example.org/top-ctrd-arm.tgz
                    arch: aarch64
                """);

        LimaPlan plan = plan("top.yaml", null);

        assertEquals("aarch64", plan.arch(), "the base's arch, which the template does not set");
        LimaPlan.Choice image = plan.groups().getFirst().choices().getFirst();
        assertEquals(List.of(LimaPlan.Kind.IMAGE, LimaPlan.Kind.KERNEL, LimaPlan.Kind.INITRD),
                image.parts().stream().map(LimaPlan.Part::kind).toList());
        LimaPlan.Group containerd = plan.groups().get(1);
        assertEquals(LimaPlan.Kind.CONTAINERD, containerd.kind(), "system: true comes from the base");
        assertEquals(List.of("https://example.org/top-ctrd-arm.tgz", "https://example.org/base-ctrd-arm.tgz"),
                locations(containerd));

        write("off.yaml", "base: base.yaml\narch: aarch64\ncontainerd:\n  system: null\n  user: false\n");
        assertEquals(1, plan("off.yaml", null).groups().size(), "a null in the template hides the base's true");
    }

    @Test
    void containerdUserDefaultsToTrueOnX8664AndAarch64AndAskesLimactlForItsArchives() throws Exception {
        write("plain.yaml", "images:\n- location: https://example.org/a.img\n");
        LimaFile builtIn = new LimaFile("https://example.org/nerdctl-full-amd64.tgz", "x86_64", Digest.parse(SHA_B),
                "limactl info");

        LimaPlan x86 = plan("plain.yaml", "x86_64", () -> List.of(builtIn));
        LimaPlan riscv = plan("plain.yaml", "riscv64", () -> List.of(builtIn));
        LimaPlan noLimactl = plan("plain.yaml", "x86_64", () -> null);

        assertEquals(List.of(builtIn.location()), locations(x86.groups().get(1)));
        assertEquals(1, riscv.groups().size(), "user containerd is off by default on riscv64");
        assertEquals(1, noLimactl.groups().size());
        assertTrue(noLimactl.notes().getFirst().contains("limactl is not installed"), noLimactl.notes().toString());
    }

    @Test
    void firmwareImagesAreForTheArchAndTheVmType() throws Exception {
        write("fw.yaml", """
                images: [{location: "https://example.org/a.img"}]
                containerd: {user: false}
                vmType: qemu
                firmware:
                  legacyBIOS: false
                  images:
                  - location: https://example.org/edk2-vz.fd
                    arch: aarch64
                    vmType: vz
                  - location: https://example.org/edk2-qemu.fd
                    arch: aarch64
                    vmType: qemu
                  - location: https://example.org/edk2-x86.fd
                    arch: x86_64
                """);

        assertEquals(List.of("https://example.org/edk2-qemu.fd"), locations(plan("fw.yaml", "aarch64").groups()
                .get(1)));
    }

    @Test
    void limaFieldsHoardDoesNotReadPassButAnUnknownOneInsideAnImageNamesFileAndLine() throws Exception {
        write("ok.yaml", """
                minimumLimaVersion: 2.0.0
                cpus: 4
                mounts: [{location: "~", writable: false}]
                provision: [{mode: system, script: "true"}]
                portForwards: [{guestPort: 80}]
                images: [{location: "https://example.org/a.img"}]
                """);
        assertEquals(List.of("https://example.org/a.img"),
                locations(plan("ok.yaml", "x86_64").groups().getFirst()));

        write("bad.yaml", "images:\n- location: https://example.org/a.img\n  kernel:\n    location: k\n"
                + "    cmdLine: quiet\n");
        TemplateException e = assertThrows(TemplateException.class, () -> plan("bad.yaml", "x86_64"));
        assertEquals(dir.resolve("bad.yaml") + ":5: unknown field 'cmdLine' in an image's kernel (Lima knows "
                + "location, arch, digest, cmdline)", e.getMessage());
    }

    @Test
    void aCycleIsNamedAsAChainAndSoIsAMissingBase() throws Exception {
        write("a.yaml", "base: template:b\n");
        write("store/b.yaml", "base: ../a.yaml\n");
        write("lonely.yaml", "base: template:gone\n");

        TemplateException cycle = assertThrows(TemplateException.class, () -> plan("a.yaml", "x86_64"));
        TemplateException missing = assertThrows(TemplateException.class, () -> plan("lonely.yaml", "x86_64"));

        assertEquals(dir.resolve("store/b.yaml") + ":1: base cycle: " + dir.resolve("a.yaml") + " → template:b → "
                + "../a.yaml", cycle.getMessage());
        assertTrue(missing.getMessage().startsWith(dir.resolve("lonely.yaml") + ":1: template template:gone not "
                + "found: no gone.yaml in " + dir.resolve("store")), missing.getMessage());
        assertTrue(missing.getMessage().endsWith("(base of " + dir.resolve("lonely.yaml") + ")"),
                missing.getMessage());
    }

    @Test
    void aTemplateNameCannotLeaveTheStore() {
        TemplateStore store = TemplateStore.of(List.of(dir.resolve("store")));
        TemplateException e = assertThrows(TemplateException.class,
                () -> store.locate("template:../../etc/passwd", null, "here"));
        assertEquals("here: bad template name 'template:../../etc/passwd'", e.getMessage());
    }

    @Test
    void limasHitRuleTrustsTheDigestFileElseHashesDataAndWithoutADigestComparesTime() throws Exception {
        LimaCache cache = new LimaCache(dir.resolve("lima"));
        String url = "https://example.org/a.img";
        Path entry = cache.createEntry(url);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(entry)));
        Path blob = Files.writeString(dir.resolve("blob"), "hello");
        Digest hello = Digest.parse("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

        assertFalse(LimaCache.isHit(entry, hello, null), "no data yet");
        assertEquals(LimaCache.Placement.LINKED, LimaCache.write(entry, url, blob, hello, "Tue, 19 May 2026 "
                + "10:00:00 GMT", "application/octet-stream"));

        assertEquals(url, Files.readString(entry.resolve("url")));
        assertEquals(hello.toString(), Files.readString(entry.resolve("sha256.digest")));
        assertTrue(LimaCache.isHit(entry, hello, null));
        Files.writeString(entry.resolve("sha256.digest"), SHA_A);
        assertTrue(LimaCache.isHit(entry, hello, null), "the digest file disagrees, but data hashes right");
        assertFalse(LimaCache.isHit(entry, Digest.parse(SHA_B), null));
        assertTrue(LimaCache.isHit(entry, null, "Tue, 19 May 2026 10:00:00 GMT"));
        assertFalse(LimaCache.isHit(entry, null, "Wed, 20 May 2026 10:00:00 GMT"));
        assertFalse(LimaCache.isHit(entry, null, null), "an unknown Last-Modified proves nothing");
        assertEquals(cache.root().resolve("download/by-url-sha256/" + Hashes.sha256Hex(url.getBytes(StandardCharsets.UTF_8))), entry);

        LimaCache.write(entry, url, blob, null, null, null);
        assertFalse(Files.exists(entry.resolve("sha256.digest")), "a digest file of older data goes");
    }

    @Test
    void limasCacheRootFollowsGosUserCacheDir() {
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            assertEquals(Path.of("/x/cache/lima"), LimaCache.defaultRoot(Map.of("XDG_CACHE_HOME", "/x/cache",
                    "HOME", "/home/u")));
            assertEquals(Path.of("/home/u/.cache/lima"), LimaCache.defaultRoot(Map.of("HOME", "/home/u")));
        }
    }

    private LimaPlan plan(String template, String arch) throws IOException, InterruptedException {
        return plan(template, arch, () -> null);
    }

    private LimaPlan plan(String template, String arch, LimaPlan.DefaultArchives defaults)
            throws IOException, InterruptedException {
        TemplateResolver resolver = new TemplateResolver(TemplateStore.of(List.of(dir.resolve("store"))), url -> {
            throw new AssertionError("no URL templates here: " + url);
        });
        String locator = template.startsWith("template:") ? template : dir.resolve(template).toString();
        return LimaPlan.of(locator, resolver.resolve(locator), arch, defaults);
    }

    private static List<String> locations(LimaPlan.Group group) {
        return group.choices().stream().map(c -> c.main().location()).toList();
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void aLocalLocationIsNotCachedByLima() {
        assertTrue(new LimaFile("~/Downloads/a.img", null, null, "x").isLocal());
        assertTrue(new LimaFile("file:///tmp/a.img", null, null, "x").isLocal());
        assertFalse(new LimaFile("https://example.org/a.img", null, null, "x").isLocal());
        assertNull(new LimaFile("https://example.org/a.img", null, null, "x").arch());
    }
}
