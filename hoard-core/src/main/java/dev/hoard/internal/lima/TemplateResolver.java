package dev.hoard.internal.lima;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Resolves a template's {@code base:} chain and merges it the way {@code limactl} does ({@code pkg/limatmpl/embed.go}):
 * the bases are embedded in order, each with its own bases first; a field the template sets (null included) wins
 * over the base's, mappings merge field by field, and lists are the template's entries followed by the base's
 * ({@code base}, {@code provision} and {@code probes}: the base's first). So {@code images} lists the template's own
 * images, then its first base's, and so on. A template included twice, as in a cycle, is an error, as in Lima.
 */
public final class TemplateResolver {
    private static final Set<String> PREPENDED = Set.of("base", "provision", "probes");

    /** Reads a template from an http(s) URL; one that is not there is a {@link TemplateException}. */
    public interface UrlReader {
        String read(URI url) throws IOException, InterruptedException;
    }

    /**
     * A template with its bases merged in.
     *
     * @param location where the top template is
     * @param files    every file read, top template first, bases in the order they were embedded
     * @param merged   the merged document
     */
    public record Resolved(TemplateLocation location, List<String> files, MappingNode merged) {
    }

    private final TemplateStore store;
    private final UrlReader urls;

    public TemplateResolver(TemplateStore store, UrlReader urls) {
        this.store = store;
        this.urls = urls;
    }

    /**
     * Reads {@code locator} (given on the command line) and every base it names, and merges them.
     *
     * @throws TemplateException a template is missing or malformed, a base cycle, an unknown field
     * @throws IOException       a template cannot be read
     */
    public Resolved resolve(String locator) throws IOException, InterruptedException {
        TemplateLocation top = store.locate(locator, null, "the command line");
        List<String> files = new ArrayList<>();
        MappingNode merged = embed(top, new ArrayList<>(), new HashMap<>(), files);
        return new Resolved(top, List.copyOf(files), merged);
    }

    private MappingNode embed(TemplateLocation location, List<TemplateLocation> chain,
            Map<String, List<TemplateLocation>> included, List<String> files) throws IOException, InterruptedException {
        chain.add(location);
        included.put(location.key(), List.copyOf(chain));
        files.add(location.shown());
        String text;
        try {
            text = read(location);
        } catch (TemplateException e) {
            throw chain.size() < 2 ? e : new TemplateException(e.getMessage() + " (base of "
                    + chainText(chain.subList(0, chain.size() - 1)) + ")");
        }
        TemplateDocument document = TemplateDocument.parse(location, text);
        MappingNode merged = document.root;
        for (TemplateDocument.Base base : document.bases) {
            if (base.hasDigest()) {
                throw new TemplateException(base.where() + ": base " + base.locator() + " has a digest; Lima does "
                        + "not support digests on bases yet, so neither does hoard");
            }
            TemplateLocation baseLocation;
            try {
                baseLocation = store.locate(base.locator(), location, base.where());
            } catch (TemplateException e) {
                throw new TemplateException(e.getMessage() + " (base of " + chainText(chain) + ")");
            }
            if (chain.stream().anyMatch(c -> c.key().equals(baseLocation.key()))) {
                List<TemplateLocation> cycle = new ArrayList<>(chain.subList(indexOf(chain, baseLocation),
                        chain.size()));
                cycle.add(baseLocation);
                throw new TemplateException(base.where() + ": base cycle: " + chainText(cycle));
            }
            List<TemplateLocation> earlier = included.get(baseLocation.key());
            if (earlier != null) {
                throw new TemplateException(base.where() + ": base " + baseLocation + " is included twice: by "
                        + chainText(earlier) + " and by " + chainText(chain) + " (Lima refuses that too)");
            }
            merged = merge(merged, embed(baseLocation, chain, included, files), true);
        }
        chain.remove(chain.size() - 1);
        return withoutBase(merged);
    }

    private String read(TemplateLocation location) throws IOException, InterruptedException {
        if (location.url() != null) {
            return urls.read(location.url());
        }
        byte[] bytes = Files.readAllBytes(location.file());
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TemplateException(location.file() + ":1: not UTF-8 text");
        }
    }

    /** {@code template} over {@code base}, by embed.go's rules (see the class comment). */
    static MappingNode merge(MappingNode template, MappingNode base, boolean top) {
        Map<String, Node> baseFields = new HashMap<>();
        for (NodeTuple tuple : base.getValue()) {
            baseFields.put(key(tuple), tuple.getValueNode());
        }
        List<NodeTuple> merged = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : template.getValue()) {
            String key = key(tuple);
            seen.add(key);
            Node mine = tuple.getValueNode();
            Node theirs = baseFields.get(key);
            Node value = mine;
            if (mine instanceof MappingNode a && theirs instanceof MappingNode b) {
                value = merge(a, b, false);
            } else if (mine instanceof SequenceNode a && theirs instanceof SequenceNode b) {
                List<Node> items = new ArrayList<>();
                boolean prepend = top && PREPENDED.contains(key);
                items.addAll(prepend ? b.getValue() : a.getValue());
                items.addAll(prepend ? a.getValue() : b.getValue());
                value = new SequenceNode(Tag.SEQ, items, FlowStyle.BLOCK);
            }
            merged.add(new NodeTuple(tuple.getKeyNode(), value));
        }
        for (NodeTuple tuple : base.getValue()) {
            if (!seen.contains(key(tuple))) {
                merged.add(tuple);
            }
        }
        return new MappingNode(Tag.MAP, merged, FlowStyle.BLOCK);
    }

    private static MappingNode withoutBase(MappingNode node) {
        List<NodeTuple> fields = node.getValue().stream().filter(t -> !"base".equals(key(t))).toList();
        return new MappingNode(Tag.MAP, fields, FlowStyle.BLOCK);
    }

    private static String key(NodeTuple tuple) {
        return tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "";
    }

    private static int indexOf(List<TemplateLocation> chain, TemplateLocation location) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).key().equals(location.key())) {
                return i;
            }
        }
        return 0;
    }

    private static String chainText(List<TemplateLocation> chain) {
        return chain.stream().map(TemplateLocation::shown).collect(Collectors.joining(" → "));
    }
}
