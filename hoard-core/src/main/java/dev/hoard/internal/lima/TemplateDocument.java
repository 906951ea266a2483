package dev.hoard.internal.lima;

import static dev.hoard.internal.yaml.YamlNodes.isNull;
import static dev.hoard.internal.yaml.YamlNodes.kind;

import dev.hoard.Digest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * One Lima template file, parsed into SnakeYAML Engine's node tree (nodes keep their file and line, so every error
 * names where it is) and checked where hoard reads it: {@code arch}, {@code images} (with {@code kernel} and
 * {@code initrd}), {@code containerd}, {@code firmware}, {@code base}. Inside those structures a field Lima does not
 * know is an error; the many other fields of a template ({@code cpus}, {@code mounts}, {@code provision}, ...) are
 * Lima's business and pass through untouched.
 */
final class TemplateDocument {
    private static final List<String> FILE = List.of("location", "arch", "digest");
    private static final List<String> IMAGE = List.of("location", "arch", "digest", "kernel", "initrd");
    private static final List<String> KERNEL = List.of("location", "arch", "digest", "cmdline");
    private static final List<String> FIRMWARE_IMAGE = List.of("location", "arch", "digest", "vmType");
    private static final List<String> CONTAINERD = List.of("system", "user", "archives");
    private static final List<String> FIRMWARE = List.of("legacyBIOS", "images");
    private static final List<String> BASE = List.of("url", "digest");

    /** A {@code base:} entry: the locator and where it is written. */
    record Base(String locator, boolean hasDigest, String where) {
    }

    final TemplateLocation location;
    final MappingNode root;
    final List<Base> bases;

    private TemplateDocument(TemplateLocation location, MappingNode root, List<Base> bases) {
        this.location = location;
        this.root = root;
        this.bases = bases;
    }

    static TemplateDocument parse(TemplateLocation location, String text) {
        String label = label(location);
        Optional<Node> root;
        try {
            // What api.lowlevel.Compose does, which the module org.snakeyaml.engine does not export
            LoadSettings settings = LoadSettings.builder().setLabel(label).build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text))).getSingleNode();
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            throw new TemplateException((mark == null ? label : label + ":" + (mark.getLine() + 1)) + ": "
                    + (e.getProblem() == null ? "malformed YAML" : e.getProblem()));
        } catch (YamlEngineException e) {
            throw new TemplateException(label + ": " + e.getMessage());
        }
        if (root.isEmpty() || isNull(root.get())) {
            return new TemplateDocument(location, new MappingNode(Tag.MAP, List.of(), FlowStyle.BLOCK), List.of());
        }
        if (!(root.get() instanceof MappingNode mapping)) {
            throw new TemplateException(at(root.get()) + ": a Lima template is a mapping (arch:, images:, ...), "
                    + "found " + kind(root.get()));
        }
        check(mapping);
        return new TemplateDocument(location, mapping, bases(field(mapping, "base")));
    }

    static String label(TemplateLocation location) {
        return location.file() != null ? location.file().toString() : location.url().toString();
    }

    private static void check(MappingNode root) {
        archValue(field(root, "arch"));
        scalarOrNull(field(root, "vmType"), "vmType");
        scalarOrNull(field(root, "os"), "os");
        for (Node image : listOrNull(field(root, "images"), "images")) {
            Map<String, Node> fields = fields(image, IMAGE, "an images entry");
            checkFile(image, fields, "an images entry");
            Node kernel = fields.get("kernel");
            if (kernel != null && !isNull(kernel)) {
                checkFile(kernel, fields(kernel, KERNEL, "an image's kernel"), "an image's kernel");
            }
            Node initrd = fields.get("initrd");
            if (initrd != null && !isNull(initrd)) {
                checkFile(initrd, fields(initrd, FILE, "an image's initrd"), "an image's initrd");
            }
        }
        Node containerd = field(root, "containerd");
        if (containerd != null && !isNull(containerd)) {
            Map<String, Node> fields = fields(containerd, CONTAINERD, "containerd");
            booleanOrNull(fields.get("system"), "containerd.system");
            booleanOrNull(fields.get("user"), "containerd.user");
            for (Node archive : listOrNull(fields.get("archives"), "containerd.archives")) {
                checkFile(archive, fields(archive, FILE, "a containerd.archives entry"), "a containerd.archives "
                        + "entry");
            }
        }
        Node firmware = field(root, "firmware");
        if (firmware != null && !isNull(firmware)) {
            Map<String, Node> fields = fields(firmware, FIRMWARE, "firmware");
            booleanOrNull(fields.get("legacyBIOS"), "firmware.legacyBIOS");
            for (Node image : listOrNull(fields.get("images"), "firmware.images")) {
                Map<String, Node> imageFields = fields(image, FIRMWARE_IMAGE, "a firmware.images entry");
                checkFile(image, imageFields, "a firmware.images entry");
                scalarOrNull(imageFields.get("vmType"), "vmType");
            }
        }
    }

    private static void checkFile(Node node, Map<String, Node> fields, String what) {
        Node location = fields.get("location");
        if (location == null || isNull(location)) {
            throw new TemplateException(at(node) + ": " + what + " has no 'location'");
        }
        scalarOrNull(location, "location");
        archValue(fields.get("arch"));
        digest(fields.get("digest"));
    }

    /** The file described by a checked mapping, with its own fields. */
    static LimaFile file(Node node) {
        Map<String, Node> fields = fields(node, null, null);
        return new LimaFile(scalar(fields.get("location")), scalar(fields.get("arch")), digest(fields.get("digest")),
                at(node));
    }

    private static List<Base> bases(Node base) {
        List<Base> bases = new ArrayList<>();
        if (base == null || isNull(base)) {
            return bases;
        }
        List<Node> entries = base instanceof SequenceNode list ? list.getValue() : List.of(base);
        for (Node entry : entries) {
            if (entry instanceof ScalarNode scalar && !isNull(scalar)) {
                bases.add(new Base(scalar.getValue(), false, at(entry)));
            } else if (entry instanceof MappingNode) {
                Map<String, Node> fields = fields(entry, BASE, "a base entry");
                String url = scalar(fields.get("url"));
                if (url == null) {
                    throw new TemplateException(at(entry) + ": a base entry has no 'url'");
                }
                Node digest = fields.get("digest");
                bases.add(new Base(url, digest != null && !isNull(digest), at(entry)));
            } else {
                throw new TemplateException(at(entry) + ": 'base' must be a template locator, a list of them, or "
                        + "of {url, digest}; found " + kind(entry));
            }
        }
        return bases;
    }

    /** The fields of a mapping; with {@code known}, one not in it is an error naming file and line. */
    static Map<String, Node> fields(Node node, List<String> known, String what) {
        if (!(node instanceof MappingNode mapping)) {
            throw new TemplateException(at(node) + ": " + what + " must be a mapping, found " + kind(node));
        }
        Map<String, Node> fields = new java.util.LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = tuple.getKeyNode() instanceof ScalarNode key ? key.getValue() : null;
            if (name == null) {
                throw new TemplateException(at(tuple.getKeyNode()) + ": a field name must be a string");
            }
            if (known != null && !known.contains(name)) {
                throw new TemplateException(at(tuple.getKeyNode()) + ": unknown field '" + name + "' in " + what
                        + " (Lima knows " + String.join(", ", known) + ")");
            }
            if (!seen.add(name)) {
                throw new TemplateException(at(tuple.getKeyNode()) + ": '" + name + "' given twice");
            }
            fields.put(name, tuple.getValueNode());
        }
        return fields;
    }

    static Node field(MappingNode mapping, String name) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(name)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    static List<Node> listOrNull(Node node, String what) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode list)) {
            throw new TemplateException(at(node) + ": '" + what + "' must be a list, found " + kind(node));
        }
        return list.getValue();
    }

    private static void scalarOrNull(Node node, String what) {
        if (node != null && !(node instanceof ScalarNode)) {
            throw new TemplateException(at(node) + ": '" + what + "' must be a string, found " + kind(node));
        }
    }

    private static void booleanOrNull(Node node, String what) {
        if (node != null && !isNull(node) && !Tag.BOOL.equals(node.getTag())) {
            throw new TemplateException(at(node) + ": '" + what + "' must be true or false, found " + kind(node));
        }
    }

    private static void archValue(Node node) {
        scalarOrNull(node, "arch");
        String arch = scalar(node);
        if (arch != null && !arch.equals("default") && !LimaArch.ALL.contains(arch)) {
            throw new TemplateException(at(node) + ": unknown arch '" + arch + "' (Lima knows "
                    + String.join(", ", LimaArch.ALL) + ")");
        }
    }

    private static Digest digest(Node node) {
        scalarOrNull(node, "digest");
        String text = scalar(node);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Digest.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new TemplateException(at(node) + ": " + e.getMessage());
        }
    }

    /** A scalar's text, or null for an absent or null one. */
    static String scalar(Node node) {
        return node instanceof ScalarNode scalar && !isNull(scalar) ? scalar.getValue() : null;
    }

    /** True, false, or null when not given. */
    static Boolean bool(Node node) {
        String text = scalar(node);
        return text == null ? null : Boolean.valueOf(text.equalsIgnoreCase("true"));
    }

    /** {@code file:line} of a node. */
    static String at(Node node) {
        return node.getStartMark().map(m -> m.getName() + ":" + (m.getLine() + 1)).orElse("?");
    }
}
