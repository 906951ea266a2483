package dev.hoard.cli;

import dev.hoard.FetchRequest;
import dev.hoard.cli.prefetch.Prefetcher.Outcome;
import dev.hoard.cli.progress.ProgressText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The result of a prefetch on stdout: a table for people, or with {@code --json} a JSON array for programs. */
final class PrefetchReport {
    static final String FAILED = JsonOutput.FAILED;

    private PrefetchReport() {
    }

    /**
     * One row per fetch: status, size, URL; a failure's message on the line below its URL.
     *
     * <pre>
     * STATUS      SIZE       URL
     * downloaded  587.0 MiB  https://example.org/noble.img
     * failed              -  https://example.org/missing.iso
     *                        HTTP 404 for https://example.org/missing.iso
     * </pre>
     */
    static String table(List<Outcome> outcomes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"STATUS", "SIZE", "URL"});
        for (Outcome o : outcomes) {
            String url = o.fetch().request().uri().toString();
            rows.add(o.failure() == null
                    ? new String[] {o.result().status().label(), ProgressText.bytes(o.result().size()), url}
                    : new String[] {FAILED, "-", url});
        }
        int statusWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        int sizeWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            String size = i == 0 ? pad(row[1], sizeWidth) : " ".repeat(sizeWidth - row[1].length()) + row[1];
            out.append(pad(row[0], statusWidth)).append("  ").append(size).append("  ").append(row[2]).append('\n');
            Outcome outcome = i == 0 ? null : outcomes.get(i - 1);
            if (outcome != null && outcome.failure() != null) {
                out.append(" ".repeat(statusWidth + sizeWidth + 4)).append(ExitCodes.message(outcome.failure()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** A JSON array, one object per line: the fields of {@code get --json} plus {@code error} (null on success). */
    static String json(List<Outcome> outcomes) {
        return JsonOutput.array(outcomes.stream().map(PrefetchReport::fields).toList());
    }

    private static Map<String, Object> fields(Outcome o) {
        if (o.failure() == null) {
            Map<String, Object> fields = JsonOutput.fields(o.result());
            fields.put("error", null);
            return fields;
        }
        FetchRequest request = o.fetch().request();
        return JsonOutput.failure(request.uri().toString(), request.output(), o.failure());
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
