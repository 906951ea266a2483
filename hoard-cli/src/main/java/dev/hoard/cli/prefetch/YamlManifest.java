package dev.hoard.cli.prefetch;

import static dev.hoard.internal.yaml.YamlNodes.isNull;
import static dev.hoard.internal.yaml.YamlNodes.kind;

import dev.hoard.Digest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * YAML and JSON manifests (JSON is YAML 1.2's flow style), read with SnakeYAML Engine: a list of items, each a
 * mapping with {@code url} and optionally {@code digest}, {@code mirrors}, {@code checksums}, {@code output},
 * {@code headers} (a mapping of header names to values; no message shows a value).
 *
 * <p>It reads the node tree ({@code Compose}), not Java objects, because nodes keep their line and column: every
 * error names where it is. Only {@code hoard prefetch} with a .yaml/.yml/.json manifest loads this class, and so
 * SnakeYAML; {@code hoard get} never does.
 */
final class YamlManifest {
    private static final List<String> FIELDS = List.of("url", "digest", "mirrors", "checksums", "output",
            "headers");

    private final Path file;

    private YamlManifest(Path file) {
        this.file = file;
    }

    static List<ManifestItem> parse(Path file, String text) {
        YamlManifest manifest = new YamlManifest(file);
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            throw new ManifestException(manifest.at(e.getProblemMark().or(e::getContextMark)), describe(e));
        } catch (YamlEngineException e) {
            throw new ManifestException(new Location(file, 1, 0), e.getMessage());
        }
        return root.map(manifest::items).orElse(List.of()); // an empty file lists nothing
    }

    private List<ManifestItem> items(Node root) {
        if (isNull(root)) {
            return List.of();
        }
        if (!(root instanceof SequenceNode list)) {
            throw new ManifestException(at(root), "expected a list of items (each with a 'url'), found "
                    + kind(root));
        }
        List<ManifestItem> items = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            items.add(item(list.getValue().get(i), i + 1));
        }
        return items;
    }

    private ManifestItem item(Node node, int number) {
        if (!(node instanceof MappingNode mapping)) {
            throw new ManifestException(at(node), "item " + number + ": expected a mapping with 'url', found "
                    + kind(node));
        }
        String url = null;
        Location urlAt = at(node);
        List<URI> mirrors = List.of();
        Digest digest = null;
        URI checksums = null;
        Path output = null;
        Map<String, String> headers = Map.of();
        Location headersAt = at(node);
        Set<String> seen = new HashSet<>();
        for (NodeTuple field : mapping.getValue()) {
            String name = scalar(field.getKeyNode(), number, "a field name");
            Node value = field.getValueNode();
            Location valueAt = at(value);
            if (!seen.add(name)) {
                throw new ManifestException(at(field.getKeyNode()), "item " + number + ": '" + name + "' given twice");
            }
            if (isNull(value)) {
                continue; // "digest:" with nothing, or null: as if not given
            }
            switch (name) {
                case "url" -> {
                    url = scalar(value, number, "'url'");
                    urlAt = valueAt;
                }
                case "digest" -> digest = ManifestItem.digest(scalar(value, number, "'digest'"), valueAt);
                case "mirrors" -> mirrors = mirrors(value, number);
                case "checksums" -> checksums = ManifestItem.url(scalar(value, number, "'checksums'"), valueAt);
                case "output" -> output = ManifestItem.output(scalar(value, number, "'output'"), valueAt);
                case "headers" -> {
                    headers = headers(value, number);
                    headersAt = valueAt;
                }
                default -> throw new ManifestException(at(field.getKeyNode()), "item " + number + ": unknown field '"
                        + name + "'; an item has " + String.join(", ", FIELDS));
            }
        }
        if (url == null) {
            throw new ManifestException(at(node), "item " + number + ": no 'url'");
        }
        URI checked = ManifestItem.url(url, urlAt);
        return new ManifestItem(checked, mirrors, digest, checksums, output,
                ManifestItem.headers(checked, headers, headersAt), at(node));
    }

    private Map<String, String> headers(Node node, int number) {
        if (!(node instanceof MappingNode mapping)) {
            throw new ManifestException(at(node), "item " + number + ": 'headers' must be a mapping of header names "
                    + "to values, e.g. Authorization: Bearer TOKEN; found " + kindWithoutValue(node));
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (NodeTuple header : mapping.getValue()) {
            String name = scalar(header.getKeyNode(), number, "a header name");
            if (!(header.getValueNode() instanceof ScalarNode value) || isNull(value)) {
                throw new ManifestException(at(header.getValueNode()), "item " + number + ": the header '" + name
                        + "' must have a string value, found " + kindWithoutValue(header.getValueNode()));
            }
            if (headers.put(name, value.getValue()) != null) {
                throw new ManifestException(at(header.getKeyNode()), "item " + number + ": the header '" + name
                        + "' is given twice");
            }
        }
        return headers;
    }

    /** What {@link #kind} says, but never a scalar's value: under 'headers' it may be a token. */
    private static String kindWithoutValue(Node node) {
        return node instanceof ScalarNode scalar && !isNull(scalar) ? "a string" : kind(node);
    }

    private List<URI> mirrors(Node node, int number) {
        if (!(node instanceof SequenceNode list)) {
            throw new ManifestException(at(node), "item " + number + ": 'mirrors' must be a list of URLs, found "
                    + kind(node));
        }
        List<URI> mirrors = new ArrayList<>();
        for (Node mirror : list.getValue()) {
            mirrors.add(ManifestItem.url(scalar(mirror, number, "a mirror"), at(mirror)));
        }
        return mirrors;
    }

    private String scalar(Node node, int number, String what) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            throw new ManifestException(at(node), "item " + number + ": " + what + " must be a string, found "
                    + kind(node));
        }
        return scalar.getValue();
    }

    private Location at(Node node) {
        return at(node.getStartMark());
    }

    private Location at(Optional<Mark> mark) {
        return mark.map(m -> new Location(file, m.getLine() + 1, m.getColumn() + 1))
                .orElse(new Location(file, 1, 0));
    }

    /** SnakeYAML's message without its multi-line snippet: the problem, and its context when it has one. */
    private static String describe(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "malformed YAML" : e.getProblem();
        return e.getContext() == null ? problem : e.getContext() + ": " + problem;
    }
}
