package org.servicejobs.data.version1;

import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.validate.ObjectSchema;

/**
 * Schema of {@link NewJobV1}: <code>type</code> and <code>ref_id</code> are required strings;
 * <code>ttl</code>, <code>max_retries</code>, <code>delay</code> and <code>priority</code> optional
 * whole numbers, <code>run_at</code> an optional date and <code>backoff</code> an optional object
 * (their types and ranges are checked by the command set and the controller, with a code each);
 * <code>params</code> anything.
 */
public class NewJobV1Schema extends ObjectSchema {
    public NewJobV1Schema() {
        withRequiredProperty("type", TypeCode.String);
        withRequiredProperty("ref_id", TypeCode.String);
        withOptionalProperty("ttl", null);
        withOptionalProperty("params", null);
        withOptionalProperty("max_retries", null);
        withOptionalProperty("run_at", null);
        withOptionalProperty("delay", null);
        withOptionalProperty("priority", null);
        withOptionalProperty("backoff", null);
    }
}
