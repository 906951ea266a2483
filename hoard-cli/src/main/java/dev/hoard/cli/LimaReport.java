package dev.hoard.cli;

import dev.hoard.cli.progress.ProgressText;
import dev.hoard.internal.lima.LimaFetcher;
import dev.hoard.internal.lima.LimaFile;
import dev.hoard.internal.lima.LimaPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The result of {@code hoard lima prefetch} on stdout: a table, or with {@code --json} a JSON array. */
final class LimaReport {

    /** One file: fetched ({@code result}) or not ({@code failure}). */
    record Row(LimaPlan plan, LimaPlan.Kind kind, LimaFile file, LimaFetcher.Result result, Exception failure) {
    }

    private LimaReport() {
    }

    /**
     * <pre>
     * STATUS      SIZE       KIND        URL
     * downloaded  587.0 MiB  image       https://cloud-images.ubuntu.com/.../ubuntu-26.04-server-cloudimg-amd64.img
     * used-cache   40.2 MiB  containerd  https://github.com/containerd/nerdctl/releases/.../nerdctl-full-2.1.tgz
     * </pre>
     */
    static String table(List<Row> rows) {
        List<String> sizes = rows.stream().map(r -> r.failure() == null ? ProgressText.bytes(r.result().size())
                : "-").toList();
        int sizeWidth = Math.max(4, sizes.stream().mapToInt(String::length).max().orElse(0));
        Table table = new Table().row("STATUS", "SIZE", "KIND", "URL");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            table.row(row.failure() == null ? row.result().status().label() : JsonOutput.FAILED,
                    " ".repeat(sizeWidth - sizes.get(i).length()) + sizes.get(i), row.kind().label(),
                    row.file().location());
        }
        List<String> lines = table.render().lines().toList();
        int urlColumn = lines.getFirst().indexOf("URL");
        StringBuilder out = new StringBuilder(lines.getFirst()).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            out.append(lines.get(i + 1)).append('\n');
            if (rows.get(i).failure() != null) { // the message below its URL
                out.append(" ".repeat(urlColumn)).append(ExitCodes.message(rows.get(i).failure())).append('\n');
            }
        }
        return out.toString();
    }

    static String json(List<Row> rows) {
        return JsonOutput.array(rows.stream().map(LimaReport::fields).toList());
    }

    private static Map<String, Object> fields(Row row) {
        Map<String, Object> fields;
        LimaFetcher.Result r = row.result();
        if (row.failure() != null) {
            fields = JsonOutput.failure(row.file().location(), null, row.failure());
            fields.remove("error");
        } else if (r.fetch() != null) {
            fields = JsonOutput.fields(r.fetch());
            fields.put("status", r.status().label());
            fields.put("url", row.file().location());
            fields.put("path", JsonOutput.pathText(r.entry().resolve("data")));
        } else {
            fields = new LinkedHashMap<>();
            fields.put("status", r.status().label());
            fields.put("url", row.file().location());
            fields.put("path", r.entry() == null ? row.file().location() : JsonOutput.pathText(r.entry()
                    .resolve("data")));
            fields.put("cachePath", null);
            fields.put("size", r.size());
            fields.put("digest", r.digest() == null ? null : r.digest().toString());
            fields.put("etag", null);
            fields.put("lastModified", r.entry() == null ? null : read(r.entry().resolve("time")));
            fields.put("contentType", r.entry() == null ? null : read(r.entry().resolve("type")));
            fields.put("bytesTransferred", 0L);
        }
        fields.put("kind", row.kind().label());
        fields.put("arch", row.plan().arch());
        fields.put("template", row.plan().template());
        fields.put("limaEntry", r == null || r.entry() == null ? null : JsonOutput.pathText(r.entry()));
        fields.put("limaData", r == null ? null : r.placement().label());
        fields.put("error", row.failure() == null ? null : ExitCodes.message(row.failure()));
        return fields;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }
}
