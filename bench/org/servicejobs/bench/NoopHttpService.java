package org.servicejobs.bench;

import org.servicejobs.services.CommandableJsonHttpService;

/** <code>POST /v1/bench/noop</code> on the same HTTP stack as the jobs service. */
public class NoopHttpService extends CommandableJsonHttpService {
    public NoopHttpService() {
        super("v1/bench");
        _dependencyResolver.put("controller", BenchFactory.NoopControllerDescriptor);
    }
}
