package dev.berth.netlink;

import java.util.HashMap;
import java.util.Map;

/**
 * Generic netlink messages: {@code struct genlmsghdr} (cmd, version, reserved: 4 bytes) after the netlink header,
 * and the controller family's {@code CTRL_CMD_GETFAMILY}. Pure.
 */
final class GenlCodec {
    static final int GENL_HDR_LEN = 4;
    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_VERSION = 2;
    static final int CTRL_CMD_NEWFAMILY = 1;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_VERSION = 3;
    static final int CTRL_ATTR_HDRSIZE = 4;
    static final int CTRL_ATTR_MAXATTR = 5;
    static final int CTRL_ATTR_MCAST_GROUPS = 7;
    static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    private GenlCodec() {
    }

    /** A message to {@code familyId} with its {@code genlmsghdr}; callers add the family's attributes. */
    static NlMessageBuilder message(int familyId, int flags, int cmd, int version) {
        return new NlMessageBuilder(familyId, flags).u8(cmd).u8(version).u16(0);
    }

    static NlMessageBuilder getFamily(String name) {
        return message(GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, CTRL_VERSION).attrString(CTRL_ATTR_FAMILY_NAME, name);
    }

    static NlMessageBuilder dumpFamilies() {
        return message(GENL_ID_CTRL, NlMessage.F_DUMP, CTRL_CMD_GETFAMILY, CTRL_VERSION);
    }

    /** Reads a controller's {@code CTRL_CMD_NEWFAMILY}; null for any other message. */
    static GenlFamily parseFamily(NlMessage m) {
        if (m.type() != GENL_ID_CTRL || m.payload().remaining() < GENL_HDR_LEN
                || (m.payload().get(0) & 0xff) != CTRL_CMD_NEWFAMILY) {
            return null;
        }
        NlAttributes at = m.attributes(GENL_HDR_LEN);
        NlAttribute id = at.get(CTRL_ATTR_FAMILY_ID);
        if (id == null) {
            throw NetlinkException.malformed("CTRL_CMD_NEWFAMILY without CTRL_ATTR_FAMILY_ID");
        }
        Map<String, Integer> groups = new HashMap<>();
        for (NlAttribute g : at.nested(CTRL_ATTR_MCAST_GROUPS).list()) {
            NlAttributes ga = g.nested();
            String name = ga.string(CTRL_ATTR_MCAST_GRP_NAME);
            if (name != null) {
                groups.put(name, ga.u32(CTRL_ATTR_MCAST_GRP_ID, 0));
            }
        }
        return new GenlFamily(at.string(CTRL_ATTR_FAMILY_NAME), id.u16(), at.u32(CTRL_ATTR_VERSION, 0),
                at.u32(CTRL_ATTR_HDRSIZE, 0), at.u32(CTRL_ATTR_MAXATTR, 0), groups);
    }
}
