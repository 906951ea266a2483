package dev.hoard.internal.checksums;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.ChecksumFileException;
import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Reading SHA256SUMS-style files in the forms publishers really use, and looking a download up in them. */
class ChecksumFileTest {
    private static final URI SUMS = URI.create("https://example.org/releases/SHA256SUMS");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(128);

    @Test
    void gnuTextAndBinaryModeLinesAreRead() throws Exception {
        ChecksumFile file = parse(A + "  disk.img\n" + B + " *noble-server-cloudimg-amd64.img\n");

        assertEquals(sha256(A), file.digestFor(url("/noble/current/disk.img")));
        assertEquals(sha256(B), file.digestFor(url("/noble/current/noble-server-cloudimg-amd64.img")));
    }

    @Test
    void ubuntuCloudImagesFormatIsRead() throws Exception {
        // As published at cloud-images.ubuntu.com/noble/current/SHA256SUMS: binary mode, bare names, upper and
        // lower case hex never mixed but both valid.
        String sums = A + " *noble-server-cloudimg-amd64-azure.vhd.tar.gz\n"
                + B + " *noble-server-cloudimg-amd64.img\n"
                + A.toUpperCase() + " *noble-server-cloudimg-arm64.img\n";
        ChecksumFile file = parse(sums);

        assertEquals(sha256(B), file.digestFor(URI.create(
                "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img")));
        assertEquals(sha256(A), file.digestFor(URI.create(
                "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-arm64.img")));
    }

    @Test
    void dotSlashPrefixesAndDirectoriesAreMatchedByFileName() throws Exception {
        ChecksumFile file = parse(A + "  ./disk.img\n" + B + "  ./images/kernel.bin\n");

        assertEquals(sha256(A), file.digestFor(url("/disk.img")));
        assertEquals(sha256(B), file.digestFor(url("/pub/kernel.bin")));
    }

    @Test
    void bsdStyleLinesAreReadWithTheirTags() throws Exception {
        ChecksumFile file = parse("SHA256 (disk.img) = " + A + "\n"
                + "SHA512 (kernel.bin) = " + C + "\n"
                + "SHA2-256(openssl.img)= " + B + "\n");

        assertEquals(sha256(A), file.digestFor(url("/disk.img")));
        assertEquals(new Digest(DigestAlgorithm.SHA512, C), file.digestFor(url("/kernel.bin")));
        assertEquals(sha256(B), file.digestFor(url("/openssl.img")));
    }

    @Test
    void sha512SumsAreRecognisedByTheirLength() throws Exception {
        ChecksumFile file = parse(C + "  disk.img\n");

        assertEquals(new Digest(DigestAlgorithm.SHA512, C), file.digestFor(url("/disk.img")));
    }

    @Test
    void theUrlsFileNameIsDecodedBeforeTheLookup() throws Exception {
        ChecksumFile file = parse(A + "  my disk (1).img\n");

        assertEquals(sha256(A), file.digestFor(url("/my%20disk%20%281%29.img")));
    }

    @Test
    void coreutilsEscapedNamesAreUnescaped() throws Exception {
        ChecksumFile file = parse("\\" + A + "  back\\\\slash.img\n");

        assertEquals(sha256(A), file.digestFor(url("/back%5Cslash.img")));
    }

    @Test
    void signedMixedAndWindowsFilesAreReadSkippingWhatIsNotAChecksum() throws Exception {
        String fedoraStyle = "-----BEGIN PGP SIGNED MESSAGE-----\r\n"
                + "Hash: SHA256\r\n"
                + "\r\n"
                + "# Fedora-Cloud-Base.qcow2: 123 bytes\r\n"
                + "MD5 (disk.img) = " + "d".repeat(32) + "\r\n"
                + "d41d8cd98f00b204e9800998ecf8427e  disk.img\r\n"
                + "SHA256 (disk.img) = " + A + "\r\n"
                + "-----BEGIN PGP SIGNATURE-----\r\n"
                + "iQIzBAEBCAAdFiEEp6mLz3k0C2v5 disk.img\r\n"
                + "-----END PGP SIGNATURE-----\r\n";
        ChecksumFile file = parse(fedoraStyle);

        assertEquals(1, file.entries().size(), file.entries().toString());
        assertEquals(sha256(A), file.digestFor(url("/disk.img")));
    }

    @Test
    void theEntrySharingMostOfTheUrlsPathWins() throws Exception {
        ChecksumFile file = parse(A + "  amd64/disk.img\n" + B + "  arm64/disk.img\n");

        assertEquals(sha256(B), file.digestFor(url("/v1/arm64/disk.img")));
        assertEquals(sha256(A), file.digestFor(url("/v1/amd64/disk.img")));
    }

    @Test
    void entriesThatCannotBeToldApartAreAnErrorNotAGuess() {
        ChecksumFile file = parse(A + "  amd64/disk.img\n" + B + "  arm64/disk.img\n");

        ChecksumFileException e = assertThrows(ChecksumFileException.class, () -> file.digestFor(url("/disk.img")));
        assertTrue(e.getMessage().contains("more than once") && e.getMessage().contains("amd64/disk.img")
                && e.getMessage().contains("arm64/disk.img"), e.getMessage());
    }

    @Test
    void theSameDigestListedTwiceIsNoConflict() throws Exception {
        ChecksumFile file = parse(A + "  disk.img\n" + A + " *./disk.img\n");

        assertEquals(sha256(A), file.digestFor(url("/disk.img")));
    }

    @Test
    void sha512IsPreferredWhenBothAreListed() throws Exception {
        ChecksumFile file = parse("SHA256 (disk.img) = " + A + "\nSHA512 (disk.img) = " + C + "\n");

        assertEquals(DigestAlgorithm.SHA512, file.digestFor(url("/disk.img")).algorithm());
    }

    @Test
    void aMissingNameIsAnErrorNamingItTheChecksumFileAndWhatItLists() {
        ChecksumFile file = parse(A + "  disk-1.0.img\n" + B + "  disk-1.1.img\n");

        ChecksumFileException e = assertThrows(ChecksumFileException.class,
                () -> file.digestFor(url("/disk-2.0.img")));
        assertEquals("disk-2.0.img", e.fileName());
        assertEquals(SUMS, e.checksumsUrl());
        assertEquals(SUMS + " lists no checksum for 'disk-2.0.img' (it lists 2 files: disk-1.0.img, disk-1.1.img)",
                e.getMessage());
    }

    @Test
    void somethingThatIsNoChecksumFileSaysSo() {
        ChecksumFile file = parse("<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");

        ChecksumFileException e = assertThrows(ChecksumFileException.class, () -> file.digestFor(url("/disk.img")));
        assertTrue(e.getMessage().contains("no checksum lines at all"), e.getMessage());
    }

    @Test
    void aNameMustMatchWholeNotAsASuffix() {
        ChecksumFile file = parse(A + "  olddisk.img\n");

        assertThrows(ChecksumFileException.class, () -> file.digestFor(url("/disk.img")));
    }

    @Test
    void aUrlWithoutAFileNameIsAUsageError() {
        ChecksumFile file = parse(A + "  disk.img\n");

        assertThrows(IllegalArgumentException.class, () -> file.digestFor(URI.create("https://example.org/")));
    }

    private static ChecksumFile parse(String text) {
        return ChecksumFile.parse(SUMS, text);
    }

    private static URI url(String path) {
        return URI.create("https://example.org" + path);
    }

    private static Digest sha256(String hex) {
        return Digest.sha256(hex);
    }
}
