package dev.hoard.cli;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** Words for the file-system exceptions the JDK throws with a path and no reason, so no message is a bare path. */
final class FileProblems {
    private FileProblems() {
    }

    static String describe(FileSystemException e) {
        return switch (e) {
            // what creating a directory (or a file that must be new) met: a file, or anything else, in the way
            case FileAlreadyExistsException ignored -> "is in the way: it exists, and is not the directory needed here";
            case NotDirectoryException ignored -> "is not a directory";
            case DirectoryNotEmptyException ignored -> "is a directory that is not empty";
            case NotLinkException ignored -> "is not a symbolic link";
            default -> e.getClass().getSimpleName();
        };
    }
}
