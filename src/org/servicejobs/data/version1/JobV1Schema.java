package org.servicejobs.data.version1;

import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.validate.ObjectSchema;

/**
 * Schema of {@link JobV1}, as it is sent on the wire.
 */
public class JobV1Schema extends ObjectSchema {
    public JobV1Schema() {
        withOptionalProperty("id", TypeCode.String);
        withRequiredProperty("type", TypeCode.String);
        withRequiredProperty("ref_id", TypeCode.String);
        withOptionalProperty("params", null);
        withOptionalProperty("created", TypeCode.DateTime);
        withOptionalProperty("started", TypeCode.DateTime);
        withOptionalProperty("locked_until", TypeCode.DateTime);
        withOptionalProperty("execute_until", TypeCode.DateTime);
        withOptionalProperty("completed", TypeCode.DateTime);
        withOptionalProperty("retries", TypeCode.Integer);
        withOptionalProperty("lock_token", TypeCode.String);
    }
}
