package org.servicejobs.persistence;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The <code>search</code> filter of get_jobs in the memory and file stores: a case-insensitive
 * substring of a job's ref_id or of its params' JSON text. A search of ASCII text compares the
 * stored UTF-8 bytes directly, folding ASCII letters, without decoding; any other search decodes
 * and lower-cases each candidate.
 */
final class JobsSearch {
    private final String _lower;
    private final byte[] _needle;
    private final boolean _ascii;

    JobsSearch(String text) {
        _lower = text.toLowerCase(Locale.ROOT);
        _needle = _lower.getBytes(StandardCharsets.UTF_8);
        _ascii = _needle.length == _lower.length();
    }

    /** The text, lower-cased. */
    String text() {
        return _lower;
    }

    boolean in(String value) {
        if (value == null)
            return false;
        if (!_ascii)
            return value.toLowerCase(Locale.ROOT).contains(_lower);
        int last = value.length() - _lower.length();
        for (int i = 0; i <= last; i++) {
            if (value.regionMatches(true, i, _lower, 0, _lower.length()))
                return true;
        }
        return false;
    }

    boolean in(byte[] utf8) {
        if (utf8 == null)
            return false;
        if (!_ascii)
            return new String(utf8, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains(_lower);
        byte[] needle = _needle;
        if (needle.length == 0)
            return true;
        byte first = needle[0];
        int last = utf8.length - needle.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (fold(utf8[i]) != first)
                continue;
            for (int j = 1; j < needle.length; j++) {
                if (fold(utf8[i + j]) != needle[j])
                    continue outer;
            }
            return true;
        }
        return false;
    }

    private static byte fold(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
}
