package dev.hoard.internal.lima;

/**
 * A Lima template that cannot be used: missing, malformed, a base cycle, an unknown field, no image for the arch.
 * A usage error (exit 2), raised while templates are resolved, before anything is fetched; the message names the
 * file and line, or the chain of bases.
 */
public final class TemplateException extends IllegalArgumentException {
    public TemplateException(String message) {
        super(message);
    }
}
