package org.servicejobs.data.version1;

import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.validate.ObjectSchema;

/**
 * Schema of {@link NewJobV1}: <code>type</code> and <code>ref_id</code> are required strings,
 * <code>ttl</code> an optional number of milliseconds, <code>params</code> anything.
 */
public class NewJobV1Schema extends ObjectSchema {
    public NewJobV1Schema() {
        withRequiredProperty("type", TypeCode.String);
        withRequiredProperty("ref_id", TypeCode.String);
        withOptionalProperty("ttl", TypeCode.Long);
        withOptionalProperty("params", null);
    }
}
