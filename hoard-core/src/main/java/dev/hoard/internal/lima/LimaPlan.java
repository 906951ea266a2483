package dev.hoard.internal.lima;

import dev.hoard.internal.yaml.YamlNodes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * What {@code limactl start} would download for one template and arch: groups of alternatives, of which Lima uses
 * the first it can download.
 *
 * <ul>
 *   <li>the image: the {@code images} entries for the arch (an entry without {@code arch} is for the instance's),
 *       in the merged order, each with its {@code kernel} and {@code initrd} when it has them;</li>
 *   <li>the containerd archive, when containerd is enabled ({@code containerd.system}, or {@code containerd.user},
 *       which defaults to true for Linux guests on x86_64 and aarch64): the template's {@code containerd.archives}
 *       for the arch, or, when it names none, those of {@code limactl info} (if limactl is installed);</li>
 *   <li>the firmware, when the template has {@code firmware.images} for the arch and the VM type.</li>
 * </ul>
 *
 * @param template the template as given
 * @param files    the files read to resolve it, top first
 * @param arch     the instance's arch
 * @param groups   what to fetch, one alternative of each group
 * @param notes    what is not prefetched and why, for the user
 */
public record LimaPlan(String template, List<String> files, String arch, List<Group> groups, List<String> notes) {

    /** Alternatives for one thing Lima needs. */
    public record Group(Kind kind, List<Choice> choices) {
    }

    /** One alternative: a file, and the files that go with it (an image's kernel and initrd). */
    public record Choice(List<Part> parts) {
        public LimaFile main() {
            return parts.getFirst().file();
        }
    }

    /** A file and what it is. */
    public record Part(Kind kind, LimaFile file) {
    }

    public enum Kind {
        IMAGE, KERNEL, INITRD, CONTAINERD, FIRMWARE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Finds the containerd archives {@code limactl info} would use, or says why there are none. */
    public interface DefaultArchives {
        /** The archives, or null when limactl is not installed. */
        List<LimaFile> archives() throws IOException, InterruptedException;
    }

    /**
     * The plan for {@code resolved} on {@code arch} (null: the template's, else the host's).
     *
     * @throws TemplateException the template has no image for the arch
     */
    public static LimaPlan of(String template, TemplateResolver.Resolved resolved, String arch,
            DefaultArchives defaults) throws IOException, InterruptedException {
        MappingNode root = resolved.merged();
        String instanceArch = arch != null ? LimaArch.of(arch)
                : LimaArch.of(TemplateDocument.scalar(TemplateDocument.field(root, "arch")));
        String vmType = TemplateDocument.scalar(TemplateDocument.field(root, "vmType"));
        if (vmType == null || vmType.equals("default")) {
            vmType = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac") ? "vz" : "qemu";
        }
        String os = TemplateDocument.scalar(TemplateDocument.field(root, "os"));
        List<Group> groups = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        groups.add(images(template, resolved, root, instanceArch));
        Group containerd = containerd(template, root, instanceArch, os, defaults, notes);
        if (containerd != null) {
            groups.add(containerd);
        }
        Group firmware = firmware(root, instanceArch, vmType);
        if (firmware != null) {
            groups.add(firmware);
        }
        return new LimaPlan(template, resolved.files(), instanceArch, List.copyOf(groups), List.copyOf(notes));
    }

    private static Group images(String template, TemplateResolver.Resolved resolved, MappingNode root, String arch) {
        List<Choice> choices = new ArrayList<>();
        LinkedHashSet<String> arches = new LinkedHashSet<>();
        for (Node image : TemplateDocument.listOrNull(TemplateDocument.field(root, "images"), "images")) {
            LimaFile file = TemplateDocument.file(image);
            arches.add(file.arch() == null ? "any" : file.arch());
            if (!matches(file, arch)) {
                continue;
            }
            List<Part> parts = new ArrayList<>(List.of(new Part(Kind.IMAGE, file)));
            var fields = TemplateDocument.fields(image, null, null);
            for (Kind kind : List.of(Kind.KERNEL, Kind.INITRD)) {
                Node node = fields.get(kind.label());
                if (node != null && !YamlNodes.isNull(node)) {
                    parts.add(new Part(kind, TemplateDocument.file(node)));
                }
            }
            choices.add(new Choice(List.copyOf(parts)));
        }
        if (choices.isEmpty()) {
            throw new TemplateException(template + " (" + String.join(" → ", resolved.files()) + ") has no image "
                    + "for arch " + arch + (arches.isEmpty() ? "; it lists no images at all"
                            : "; its images are for " + String.join(", ", arches)));
        }
        return new Group(Kind.IMAGE, List.copyOf(choices));
    }

    private static Group containerd(String template, MappingNode root, String arch, String os,
            DefaultArchives defaults, List<String> notes) throws IOException, InterruptedException {
        Node node = TemplateDocument.field(root, "containerd");
        var fields = node instanceof MappingNode ? TemplateDocument.fields(node, null, null)
                : java.util.Map.<String, Node>of();
        Boolean system = TemplateDocument.bool(fields.get("system"));
        Boolean user = TemplateDocument.bool(fields.get("user"));
        boolean linux = os == null || os.equalsIgnoreCase("linux");
        boolean userDefault = linux && (arch.equals("x86_64") || arch.equals("aarch64"));
        if (!Boolean.TRUE.equals(system) && !(user != null ? user : userDefault)) {
            return null;
        }
        List<LimaFile> archives = new ArrayList<>();
        for (Node archive : TemplateDocument.listOrNull(fields.get("archives"), "containerd.archives")) {
            archives.add(TemplateDocument.file(archive));
        }
        if (archives.isEmpty()) {
            List<LimaFile> builtIn = defaults.archives();
            if (builtIn == null) {
                notes.add(template + ": containerd is enabled and the template names no archive; Lima's built-in "
                        + "one is listed by 'limactl info', and limactl is not installed, so it is not prefetched");
                return null;
            }
            archives = builtIn;
        }
        List<Choice> choices = archives.stream().filter(f -> matches(f, arch))
                .map(f -> new Choice(List.of(new Part(Kind.CONTAINERD, f)))).toList();
        if (choices.isEmpty()) {
            notes.add(template + ": containerd is enabled but no containerd archive is for arch " + arch);
            return null;
        }
        return new Group(Kind.CONTAINERD, choices);
    }

    private static Group firmware(MappingNode root, String arch, String vmType) {
        Node node = TemplateDocument.field(root, "firmware");
        if (!(node instanceof MappingNode)) {
            return null;
        }
        List<Choice> choices = new ArrayList<>();
        for (Node image : TemplateDocument.listOrNull(TemplateDocument.fields(node, null, null).get("images"),
                "firmware.images")) {
            LimaFile file = TemplateDocument.file(image);
            String type = TemplateDocument.scalar(TemplateDocument.fields(image, null, null).get("vmType"));
            if (matches(file, arch) && (type == null || type.equals(vmType))) {
                choices.add(new Choice(List.of(new Part(Kind.FIRMWARE, file))));
            }
        }
        return choices.isEmpty() ? null : new Group(Kind.FIRMWARE, List.copyOf(choices));
    }

    private static boolean matches(LimaFile file, String arch) {
        return file.arch() == null || file.arch().equals("default") && arch.equals(LimaArch.host())
                || file.arch().equals(arch);
    }
}
