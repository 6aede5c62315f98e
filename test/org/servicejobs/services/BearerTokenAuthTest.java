package org.servicejobs.services;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.ApplicationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BearerTokenAuth} alone. */
class BearerTokenAuthTest {
    private static final String CID = "auth-test";

    @Test
    void withoutATokenEveryRequestPasses() {
        for (String token : new String[]{null, "", "   "}) {
            BearerTokenAuth auth = new BearerTokenAuth(token);
            assertFalse(auth.isEnabled());
            assertNull(auth.check(CID, null));
            assertNull(auth.check(CID, "Bearer anything"));
        }
    }

    @Test
    void withATokenOnlyTheTokenPasses() {
        BearerTokenAuth auth = new BearerTokenAuth(" s3cret ");
        assertTrue(auth.isEnabled());
        assertNull(auth.check(CID, "Bearer s3cret"));
        assertNull(auth.check(CID, "bearer s3cret"), "the scheme in any case");
        assertNull(auth.check(CID, "Bearer   s3cret  "), "white space around the token");

        assertRefused(auth.check(CID, null), "MISSING_TOKEN");
        assertRefused(auth.check(CID, "Basic czNjcmV0"), "MISSING_TOKEN");
        assertRefused(auth.check(CID, "s3cret"), "MISSING_TOKEN");
        assertRefused(auth.check(CID, "Bearer s3cre"), "INVALID_TOKEN");
        assertRefused(auth.check(CID, "Bearer s3cret2"), "INVALID_TOKEN");
        assertRefused(auth.check(CID, "Bearer "), "INVALID_TOKEN");
    }

    private static void assertRefused(ApplicationException error, String code) {
        assertEquals(code, error.getCode());
        assertEquals(401, error.getStatus());
        assertEquals(CID, error.getCorrelationId());
    }
}
