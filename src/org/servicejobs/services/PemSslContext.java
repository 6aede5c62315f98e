package org.servicejobs.services;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A server TLS context from PEM files, as Pip's endpoint credentials name them: a private key
 * (PKCS#8, <code>BEGIN PRIVATE KEY</code>, RSA or EC) and a certificate chain, optionally
 * followed by the certificates of a CA file.
 */
final class PemSslContext {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemSslContext() {
    }

    static SSLContext create(String keyFile, String crtFile, String caFile) throws IOException, GeneralSecurityException {
        PrivateKey key = privateKey(keyFile);
        List<Certificate> chain = new ArrayList<>(certificates(crtFile));
        if (caFile != null)
            chain.addAll(certificates(caFile));
        if (chain.isEmpty())
            throw new GeneralSecurityException("No certificate in " + crtFile);
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        int begin = pem.indexOf(KEY_BEGIN);
        int end = pem.indexOf(KEY_END);
        if (begin < 0 || end < begin)
            throw new GeneralSecurityException("No PKCS#8 private key (" + KEY_BEGIN + ") in " + file
                    + "; convert it with: openssl pkcs8 -topk8 -nocrypt -in <key> -out <key.pem>");
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + KEY_BEGIN.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException ex) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("The private key in " + file + " is not an RSA, EC or Ed25519 key");
    }

    private static List<Certificate> certificates(String file) throws IOException, GeneralSecurityException {
        byte[] pem = Files.readAllBytes(Path.of(file));
        return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)));
    }
}
