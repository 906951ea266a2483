package dev.hoard.internal.yaml;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * What the YAML readers (prefetch manifests, Lima templates) say of a node, so that their messages name a value the
 * same way: "must be a list, found a mapping".
 */
public final class YamlNodes {
    private YamlNodes() {
    }

    /** A null scalar: {@code ~}, {@code null}, or a key with nothing after it. */
    public static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** The node as an error message names it: "a mapping", "a list", "nothing (null)", "'text'", "an alias". */
    public static String kind(Node node) {
        return switch (node) {
            case MappingNode ignored -> "a mapping";
            case SequenceNode ignored -> "a list";
            case ScalarNode scalar when isNull(scalar) -> "nothing (null)";
            case ScalarNode scalar -> "'" + scalar.getValue() + "'";
            default -> "an alias";
        };
    }
}
