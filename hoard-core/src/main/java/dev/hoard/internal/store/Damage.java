package dev.hoard.internal.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What an outside hand can do to a cache file hoard wrote (a stray {@code mkdir}, a symlink, a copy that kept only
 * part of the tree), said with the path, and how such a thing is taken away. Hoard never follows a symlink it finds
 * in place of one of its files, nor writes through one.
 */
final class Damage {
    private Damage() {
    }

    /** Why {@code path} is not the regular file hoard expects there, as "PATH is a directory"; null if it is, or absent. */
    static String ofFile(Path path) {
        BasicFileAttributes a = attributes(path);
        if (a == null || a.isRegularFile()) {
            return null;
        }
        return path + (a.isSymbolicLink() ? " is a symbolic link (hoard does not follow it)"
                : a.isDirectory() ? " is a directory" : " is not a regular file");
    }

    /** Why {@code path} is not the directory hoard expects there; null if it is, or absent. */
    static String ofDirectory(Path path) {
        BasicFileAttributes a = attributes(path);
        if (a == null || a.isDirectory()) {
            return null;
        }
        return path + (a.isSymbolicLink() ? " is a symbolic link (hoard does not follow it)"
                : " is a file, not a directory");
    }

    /**
     * Removes what is at {@code path} without following links: a symlink or file is unlinked, a directory is deleted
     * with everything in it (its symlinks unlinked, never followed). Returns whether something was there.
     */
    static boolean remove(Path path) throws IOException {
        BasicFileAttributes a = attributes(path);
        if (a == null) {
            return false;
        }
        if (a.isDirectory()) {
            deleteTree(path);
        } else {
            Files.deleteIfExists(path);
        }
        return true;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                BasicFileAttributes a = attributes(child);
                if (a != null && a.isDirectory()) {
                    deleteTree(child);
                } else {
                    Files.deleteIfExists(child);
                }
            }
        } catch (NotDirectoryException | NoSuchFileException e) {
            return; // replaced or removed meanwhile: not the directory we meant to remove
        }
        Files.deleteIfExists(dir);
    }

    private static BasicFileAttributes attributes(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null; // absent (or the directory above it is unreadable, which reading will report)
        }
    }
}
