package org.servicejobs.container;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks of the process parameters, before the configuration is read. */
class JobsParametersTest {
    private static String refusal(Object... tuples) {
        ConfigException error = assertThrows(ConfigException.class,
                () -> JobsParameters.check(null, ConfigParams.fromTuples(tuples)));
        assertEquals("INVALID_PARAMETER", error.getCode());
        return error.getMessage();
    }

    @Test
    void anUnknownStoreIsRefused() {
        assertTrue(refusal("STORE", "redis").contains("STORE=redis is not a store"));
    }

    @Test
    void storeSetsTheFlagsOfTheTemplates() throws Exception {
        ConfigParams memory = JobsParameters.check(null, ConfigParams.fromTuples("STORE", "memory", "MONGO_ENABLED", "1"));
        assertEquals("true", memory.get("MEMORY_ENABLED"));
        assertFalse(memory.containsKey("MONGO_ENABLED"));
        ConfigParams mongo = JobsParameters.check(null, ConfigParams.fromTuples("STORE", "MongoDB",
                "MONGO_SERVICE_URI", "mongodb://db/jobs"));
        assertEquals("true", mongo.get("MONGO_ENABLED"));
        assertFalse(mongo.containsKey("MEMORY_ENABLED"));
        ConfigParams file = JobsParameters.check(null, ConfigParams.fromTuples("STORE", "file", "MEMORY_ENABLED", "1"));
        assertFalse(file.containsKey("MEMORY_ENABLED"));
    }

    @Test
    void emptyValuesAreDroppedSoTheTemplatesSeeThemOff() throws Exception {
        ConfigParams checked = JobsParameters.check(null, ConfigParams.fromTuples("MONGO_ENABLED", "", "HTTP_PORT", ""));
        assertFalse(checked.containsKey("MONGO_ENABLED"));
        assertFalse(checked.containsKey("HTTP_PORT"));
    }

    @Test
    void mongoNeedsAnAddress() {
        assertTrue(refusal("MONGO_ENABLED", "true").contains("MONGO_SERVICE_URI"));
        assertTrue(refusal("STORE", "mongodb").contains("MONGO_SERVICE_URI"));
    }

    @Test
    void componentOptionsAreLeftToTheComponentsThatCheckThem() throws Exception {
        ConfigParams checked = JobsParameters.check(null, ConfigParams.fromTuples("HTTP_PORT", "abc",
                "MAX_RETRIES", "0", "FILE_SYNC", "sometimes"));
        assertEquals("abc", checked.get("HTTP_PORT"));
        assertEquals("0", checked.get("MAX_RETRIES"));
        assertEquals("sometimes", checked.get("FILE_SYNC"));
    }

    @Test
    void httpsNeedsBothFiles() {
        assertTrue(refusal("HTTPS_KEY_FILE", "/k.pem").contains("HTTPS_CRT_FILE"));
    }

    @Test
    void goodParametersPassUnchanged() throws Exception {
        ConfigParams checked = JobsParameters.check(null, ConfigParams.fromTuples("HTTP_PORT", "8080",
                "FILE_SYNC", "always", "MAX_RETRIES", "3"));
        assertEquals("8080", checked.get("HTTP_PORT"));
        assertEquals("always", checked.get("FILE_SYNC"));
    }
}
