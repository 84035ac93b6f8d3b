package dev.berth.wireguard;

/** A host's own key pair: the private key stays on the host (see {@link KeyStore}), the public key is published. */
public record KeyPair(PrivateKey privateKey, PublicKey publicKey) {
    public KeyPair {
        if (privateKey == null || publicKey == null) {
            throw new IllegalArgumentException("a key pair needs both keys");
        }
    }

    /** The pair of a stored private key, its public key derived. */
    public static KeyPair of(PrivateKey privateKey) {
        return new KeyPair(privateKey, privateKey.publicKey());
    }

    @Override
    public String toString() {
        return "KeyPair[public " + publicKey + "]";
    }
}
