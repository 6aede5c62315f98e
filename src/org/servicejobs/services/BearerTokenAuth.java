package org.servicejobs.services;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.UnauthorizedException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bearer-token check of the commands: with a token configured, a request must carry
 * <code>Authorization: Bearer &lt;token&gt;</code>, else 401 <code>MISSING_TOKEN</code> or
 * <code>INVALID_TOKEN</code>. Tokens are compared in constant time. Without a token every
 * request passes.
 */
public final class BearerTokenAuth {
    private static final String BEARER = "Bearer ";

    private final byte[] _token;

    /** @param token the token; null or blank lets every request pass. */
    public BearerTokenAuth(String token) {
        _token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    public boolean isEnabled() {
        return _token != null;
    }

    /**
     * Null when a request with this Authorization header may run, else the 401 to answer.
     *
     * @param header the Authorization header, or null.
     */
    public ApplicationException check(String correlationId, String header) {
        if (_token == null)
            return null;
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length()))
            return new UnauthorizedException(correlationId, "MISSING_TOKEN",
                    "The request needs an Authorization: Bearer <token> header");
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(_token, given))
            return new UnauthorizedException(correlationId, "INVALID_TOKEN", "The bearer token is not valid");
        return null;
    }
}
