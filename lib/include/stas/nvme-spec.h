/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVMe and NVMe over Fabrics wire structures (NVMe Base 2.0, NVMe-oF 1.1,
 * TP8010), byte-exact. Every multi-byte field is little-endian on the wire:
 * read and write them with le*toh()/htole*() only, never by casting a host
 * integer. Each field the code reads has a compile-time offset check at the
 * bottom of this file, so a layout mistake is a build failure.
 */
#ifndef STAS_NVME_SPEC_H
#define STAS_NVME_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define __packed __attribute__((packed))

/* Wire integer types: a reminder that the value is little-endian. */
typedef uint16_t le16;
typedef uint32_t le32;
typedef uint64_t le64;

#define NVME_DISC_SUBSYS_NQN "nqn.2014-08.org.nvmexpress.discovery"
#define NVME_DISC_PORT	     8009
#define NVME_IO_PORT	     4420
#define NVMF_NQN_SIZE	     256 /* field size; the NQN itself is at most 223 bytes */
#define NVMF_NQN_MAX_LEN     223
#define NVME_IDENTIFY_LEN    4096

/* ---- SQE / CQE ------------------------------------------------------------ */

enum nvme_sgl_id {
	NVME_SGL_DATA_BLOCK_OFFSET = 0x01, /* in-capsule data: address = offset in capsule */
	NVME_SGL_TRANSPORT_DATA = 0x5a,	   /* transport SGL data block, transport specific */
};

struct nvme_sgl_desc {
	le64 addr;
	le32 length;
	uint8_t rsvd[3];
	uint8_t type; /* enum nvme_sgl_id */
} __packed;

#define NVME_CMD_FLAGS_SGL_METABUF 0x40 /* PSDT 01b: SGLs for data and metadata */

struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags; /* FUSE 1:0, PSDT 7:6 */
	le16 cid;
	le32 nsid;
	le32 cdw2;
	le32 cdw3;
	le64 mptr;
	struct nvme_sgl_desc dptr;
	le32 cdw10;
	le32 cdw11;
	le32 cdw12;
	le32 cdw13;
	le32 cdw14;
	le32 cdw15;
} __packed;

struct nvme_cqe {
	le32 dw0;
	le32 dw1;
	le16 sqhd;
	le16 sqid;
	le16 cid;
	le16 status; /* bit 0 phase (meaningless on fabrics), 15:1 status field */
} __packed;

/* ---- Opcodes ---------------------------------------------------------------- */

enum nvme_admin_opcode {
	NVME_ADMIN_GET_LOG_PAGE = 0x02,
	NVME_ADMIN_IDENTIFY = 0x06,
	NVME_ADMIN_ABORT = 0x08,
	NVME_ADMIN_SET_FEATURES = 0x09,
	NVME_ADMIN_GET_FEATURES = 0x0a,
	NVME_ADMIN_ASYNC_EVENT = 0x0c,
	NVME_ADMIN_KEEP_ALIVE = 0x18,
	NVME_ADMIN_DISCOVERY_INFO = 0x21, /* TP8010 DIM */
	NVME_ADMIN_FABRICS = 0x7f,
};

enum nvme_io_opcode {
	NVME_IO_FLUSH = 0x00,
	NVME_IO_WRITE = 0x01,
	NVME_IO_READ = 0x02,
	NVME_IO_WRITE_UNCOR = 0x04,
	NVME_IO_COMPARE = 0x05,
	NVME_IO_WRITE_ZEROES = 0x08,
	NVME_IO_DSM = 0x09,
	NVME_IO_RESV_REGISTER = 0x0d,
	NVME_IO_RESV_REPORT = 0x0e,
	NVME_IO_RESV_ACQUIRE = 0x11,
	NVME_IO_RESV_RELEASE = 0x15,
	NVME_IO_FABRICS = 0x7f,
};

enum nvmf_fctype {
	NVMF_FCTYPE_PROPERTY_SET = 0x00,
	NVMF_FCTYPE_CONNECT = 0x01,
	NVMF_FCTYPE_PROPERTY_GET = 0x04,
	NVMF_FCTYPE_AUTH_SEND = 0x05,
	NVMF_FCTYPE_AUTH_RECV = 0x06,
	NVMF_FCTYPE_DISCONNECT = 0x08,
};

/* ---- Fabrics commands (opcode 0x7f), each exactly one SQE ------------------ */

struct nvmf_connect_cmd {
	uint8_t opcode;
	uint8_t rsvd1;
	le16 cid;
	uint8_t fctype;
	uint8_t rsvd2[19];
	struct nvme_sgl_desc dptr;
	le16 recfmt;
	le16 qid;
	le16 sqsize; /* 0's based */
	uint8_t cattr;
	uint8_t rsvd3;
	le32 kato; /* ms, admin queue only */
	uint8_t rsvd4[12];
} __packed;

#define NVMF_CONNECT_CATTR_DISSQFC 0x04 /* disable SQ flow control */

#define NVMF_CNTLID_DYNAMIC	   0xffff
#define NVMF_CNTLID_STATIC	   0xfffe

struct nvmf_connect_data {
	uint8_t hostid[16];
	le16 cntlid;
	uint8_t rsvd1[238];
	char subnqn[NVMF_NQN_SIZE];
	char hostnqn[NVMF_NQN_SIZE];
	uint8_t rsvd2[256];
} __packed;

struct nvmf_property_get_cmd {
	uint8_t opcode;
	uint8_t rsvd1;
	le16 cid;
	uint8_t fctype;
	uint8_t rsvd2[35];
	uint8_t attrib; /* bits 2:0: 0 = 4 bytes, 1 = 8 bytes */
	uint8_t rsvd3[3];
	le32 offset;
	uint8_t rsvd4[16];
} __packed;

struct nvmf_property_set_cmd {
	uint8_t opcode;
	uint8_t rsvd1;
	le16 cid;
	uint8_t fctype;
	uint8_t rsvd2[35];
	uint8_t attrib;
	uint8_t rsvd3[3];
	le32 offset;
	le64 value;
	uint8_t rsvd4[8];
} __packed;

/* Connect response DW0 on success */
#define NVMF_CONNECT_RSP_CNTLID(dw0) ((uint16_t)((dw0)&0xffff))
#define NVMF_CONNECT_RSP_ATR	     (1u << 17) /* authentication required */
/* Connect response DW0 on "Connect Invalid Parameters" */
#define NVMF_CONNECT_IPO(dw0)	((uint16_t)((dw0)&0xffff))
#define NVMF_CONNECT_IATTR(dw0) (((dw0) >> 16) & 1) /* 1: offset is in connect data */

/* ---- Controller properties -------------------------------------------------- */

enum nvme_property {
	NVME_REG_CAP = 0x00, /* 8 bytes */
	NVME_REG_VS = 0x08,
	NVME_REG_CC = 0x14,
	NVME_REG_CSTS = 0x1c,
	NVME_REG_NSSR = 0x20,
};

#define NVME_CAP_MQES(cap)    ((uint32_t)((cap)&0xffff)) /* 0's based */
#define NVME_CAP_CQR(cap)     (((cap) >> 16) & 1)
#define NVME_CAP_TO(cap)      ((uint32_t)(((cap) >> 24) & 0xff)) /* 500 ms units */
#define NVME_CAP_CSS_NVM(cap) (((cap) >> 37) & 1)
#define NVME_CAP_CSS_CSI(cap) (((cap) >> 43) & 1)
#define NVME_CAP_MPSMIN(cap)  ((uint32_t)(((cap) >> 48) & 0xf))
#define NVME_CAP_MPSMAX(cap)  ((uint32_t)(((cap) >> 52) & 0xf))

#define NVME_VS_MJR(vs)	      ((vs) >> 16)
#define NVME_VS_MNR(vs)	      (((vs) >> 8) & 0xff)
#define NVME_VS_TER(vs)	      ((vs)&0xff)

#define NVME_CC_EN	      (1u << 0)
#define NVME_CC_CSS_NVM	      (0u << 4)
#define NVME_CC_CSS_CSI	      (6u << 4)
#define NVME_CC_SHN_MASK      (3u << 14)
#define NVME_CC_SHN_NORMAL    (1u << 14)
#define NVME_CC_SHN_ABRUPT    (2u << 14)
#define NVME_CC_IOSQES	      (6u << 16)
#define NVME_CC_IOCQES	      (4u << 20)

#define NVME_CSTS_RDY	      (1u << 0)
#define NVME_CSTS_CFS	      (1u << 1)
#define NVME_CSTS_SHST_MASK   (3u << 2)
#define NVME_CSTS_SHST_CMPLT  (2u << 2)

/* ---- Identify --------------------------------------------------------------- */

enum nvme_identify_cns {
	NVME_CNS_NS = 0x00,
	NVME_CNS_CTRL = 0x01,
	NVME_CNS_NS_ACTIVE_LIST = 0x02,
	NVME_CNS_NS_DESC_LIST = 0x03,
};

enum nvme_cntrltype {
	NVME_CTRL_TYPE_UNSPEC = 0,
	NVME_CTRL_TYPE_IO = 1,
	NVME_CTRL_TYPE_DISC = 2,
	NVME_CTRL_TYPE_ADMIN = 3,
};

enum nvme_dctype {
	NVME_DCTYPE_NONE = 0,
	NVME_DCTYPE_DDC = 1,
	NVME_DCTYPE_CDC = 2,
};

/* OAES bits, and the same positions in Set Features AEC (FID 0x0b) */
#define NVME_AEC_NS_ATTR       (1u << 8)
#define NVME_AEC_FW_ACTIVATION (1u << 9)
#define NVME_AEC_ANA_CHANGE    (1u << 11)
#define NVME_AEC_DISC_CHANGE   (1u << 31)

struct nvme_id_ctrl {
	le16 vid;
	le16 ssvid;
	char sn[20];
	char mn[40];
	char fr[8];
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic;
	uint8_t mdts;
	le16 cntlid;
	le32 ver;
	le32 rtd3r;
	le32 rtd3e;
	le32 oaes;
	le32 ctratt;
	le16 rrls;
	uint8_t rsvd102[9];
	uint8_t cntrltype;
	uint8_t fguid[16];
	le16 crdt1;
	le16 crdt2;
	le16 crdt3;
	uint8_t rsvd134[122];
	le16 oacs;
	uint8_t acl;
	uint8_t aerl;
	uint8_t frmw;
	uint8_t lpa;
	uint8_t elpe;
	uint8_t npss;
	uint8_t avscc;
	uint8_t apsta;
	le16 wctemp;
	le16 cctemp;
	le16 mtfa;
	le32 hmpre;
	le32 hmmin;
	uint8_t tnvmcap[16];
	uint8_t unvmcap[16];
	le32 rpmbs;
	le16 edstt;
	uint8_t dsto;
	uint8_t fwug;
	le16 kas;
	le16 hctma;
	le16 mntmt;
	le16 mxtmt;
	le32 sanicap;
	le32 hmminds;
	le16 hmmaxd;
	le16 nsetidmax;
	le16 endgidmax;
	uint8_t anatt;
	uint8_t anacap;
	le32 anagrpmax;
	le32 nanagrpid;
	le32 pels;
	le16 domainid;
	uint8_t rsvd358[10];
	uint8_t megcap[16];
	uint8_t rsvd384[128];
	uint8_t sqes;
	uint8_t cqes;
	le16 maxcmd;
	le32 nn;
	le16 oncs;
	le16 fuses;
	uint8_t fna;
	uint8_t vwc;
	le16 awun;
	le16 awupf;
	uint8_t icsvscc;
	uint8_t nwpc;
	le16 acwu;
	le16 ocfs;
	le32 sgls;
	le32 mnan;
	uint8_t maxdna[16];
	le32 maxcna;
	uint8_t rsvd564[204];
	char subnqn[NVMF_NQN_SIZE];
	uint8_t rsvd1024[768];
	le32 ioccsz;
	le32 iorcsz;
	le16 icdoff;
	uint8_t fcatt;
	uint8_t msdbd;
	le16 ofcs;
	uint8_t dctype;
	uint8_t rsvd1807[241];
	uint8_t psd[32][32];
	uint8_t vs[1024];
} __packed;

/* ONCS bits */
#define NVME_ONCS_COMPARE      (1u << 0)
#define NVME_ONCS_WRITE_UNCOR  (1u << 1)
#define NVME_ONCS_DSM	       (1u << 2)
#define NVME_ONCS_WRITE_ZEROES (1u << 3)
#define NVME_ONCS_SAVE_SELECT  (1u << 4) /* Set Features SV and Get Features SEL */
#define NVME_ONCS_RESERVATIONS (1u << 5)

struct nvme_lbaf {
	le16 ms;
	uint8_t ds; /* LBA data size = 2^ds */
	uint8_t rp;
} __packed;

struct nvme_id_ns {
	le64 nsze;
	le64 ncap;
	le64 nuse;
	uint8_t nsfeat;
	uint8_t nlbaf; /* 0's based */
	uint8_t flbas;
	uint8_t mc;
	uint8_t dpc;
	uint8_t dps;
	uint8_t nmic;
	uint8_t rescap;
	uint8_t fpi;
	uint8_t dlfeat;
	le16 nawun;
	le16 nawupf;
	le16 nacwu;
	le16 nabsn;
	le16 nabo;
	le16 nabspf;
	le16 noiob;
	uint8_t nvmcap[16];
	le16 npwg;
	le16 npwa;
	le16 npdg;
	le16 npda;
	le16 nows;
	le16 mssrl;
	le32 mcl;
	uint8_t msrc;
	uint8_t rsvd81;
	uint8_t nulbaf;
	uint8_t rsvd83[9];
	le32 anagrpid;
	uint8_t rsvd96[3];
	uint8_t nsattr;
	le16 nvmsetid;
	le16 endgid;
	uint8_t nguid[16];
	uint8_t eui64[8];
	struct nvme_lbaf lbaf[64];
	uint8_t vs[3712];
} __packed;

/* Namespace identification descriptor (CNS 0x03) header; NID follows */
struct nvme_ns_id_desc {
	uint8_t nidt;
	uint8_t nidl;
	le16 rsvd;
} __packed;

enum nvme_nidt {
	NVME_NIDT_EUI64 = 1,
	NVME_NIDT_NGUID = 2,
	NVME_NIDT_UUID = 3,
	NVME_NIDT_CSI = 4,
};

/* ---- Log pages -------------------------------------------------------------- */

enum nvme_log_id {
	NVME_LOG_ERROR = 0x01,
	NVME_LOG_SMART = 0x02,
	NVME_LOG_FW_SLOT = 0x03,
	NVME_LOG_CHANGED_NS = 0x04,
	NVME_LOG_CMD_EFFECTS = 0x05,
	NVME_LOG_ANA = 0x0c,
	NVME_LOG_DISCOVERY = 0x70,
	NVME_LOG_RESERVATION = 0x80,
};

#define NVME_LOG_CDW10_RAE (1u << 15)

#define NVME_NSID_ALL	   0xffffffffu /* every namespace: controller-wide logs */

/* Identify Controller LPA (Log Page Attributes) */
#define NVME_LPA_SMART_PER_NS (1u << 0) /* SMART log per namespace */

enum nvmf_trtype {
	NVMF_TRTYPE_RDMA = 1,
	NVMF_TRTYPE_FC = 2,
	NVMF_TRTYPE_TCP = 3,
	NVMF_TRTYPE_LOOP = 254,
};

enum nvmf_adrfam {
	NVMF_ADRFAM_IPV4 = 1,
	NVMF_ADRFAM_IPV6 = 2,
	NVMF_ADRFAM_IB = 3,
	NVMF_ADRFAM_FC = 4,
	NVMF_ADRFAM_LOOP = 254,
};

enum nvmf_subtype {
	NVMF_SUBTYPE_REFERRAL = 1, /* another discovery service */
	NVMF_SUBTYPE_NVME = 2,
	NVMF_SUBTYPE_CURRENT_DISC = 3,
};

#define NVMF_TREQ_SECURE_MASK	 0x03
#define NVMF_TREQ_DISABLE_SQFLOW 0x04

#define NVMF_EFLAGS_DUPRETINFO	 0x01
#define NVMF_EFLAGS_EPCSD	 0x02
#define NVMF_EFLAGS_NCC		 0x04

struct nvmf_disc_log_entry {
	uint8_t trtype;
	uint8_t adrfam;
	uint8_t subtype;
	uint8_t treq;
	le16 portid;
	le16 cntlid;
	le16 asqsz;
	le16 eflags;
	uint8_t rsvd12[20];
	char trsvcid[32];
	uint8_t rsvd64[192];
	char subnqn[NVMF_NQN_SIZE];
	char traddr[256];
	uint8_t tsas[256];
} __packed;

struct nvmf_disc_log_hdr {
	le64 genctr;
	le64 numrec;
	le16 recfmt;
	uint8_t dlpf;
	uint8_t rsvd19;
	le32 tdlpl;
	uint8_t rsvd24[1000];
} __packed;

struct nvme_ana_log_hdr {
	le64 chgcnt;
	le16 ngrps;
	uint8_t rsvd10[6];
} __packed;

struct nvme_ana_group_desc {
	le32 grpid;
	le32 nnsids;
	le64 chgcnt;
	uint8_t state; /* bits 3:0 */
	uint8_t rsvd17[15];
	/* le32 nsids[nnsids] follow */
} __packed;

enum nvme_ana_state {
	NVME_ANA_OPTIMIZED = 0x1,
	NVME_ANA_NONOPTIMIZED = 0x2,
	NVME_ANA_INACCESSIBLE = 0x3,
	NVME_ANA_PERSISTENT_LOSS = 0x4,
	NVME_ANA_CHANGE = 0xf,
};

/*
 * SMART / Health Information (LID 0x02), 512 bytes. The counters from DUR to NELE are
 * 128-bit little-endian integers, kept as bytes: no host type holds them.
 */
struct nvme_smart_log_page {
	uint8_t cw;    /* critical warning, enum nvme_smart_cw */
	le16 ctemp;    /* composite temperature, Kelvin */
	uint8_t avsp;  /* available spare, % */
	uint8_t avspt; /* available spare threshold, % */
	uint8_t pused; /* percentage used (may exceed 100) */
	uint8_t egcws; /* endurance group critical warning summary */
	uint8_t rsvd7[25];
	uint8_t dur[16];  /* data units read, 1000 x 512 bytes */
	uint8_t duw[16];  /* data units written */
	uint8_t hrc[16];  /* host read commands */
	uint8_t hwc[16];  /* host write commands */
	uint8_t cbt[16];  /* controller busy time, minutes */
	uint8_t pwrc[16]; /* power cycles */
	uint8_t poh[16];  /* power on hours */
	uint8_t upl[16];  /* unsafe shutdowns */
	uint8_t mdie[16]; /* media and data integrity errors */
	uint8_t nele[16]; /* number of error information log entries */
	le32 wctt;	  /* warning composite temperature time, minutes */
	le32 cctt;	  /* critical composite temperature time, minutes */
	le16 tsen[8];	  /* temperature sensors 1-8, Kelvin; 0: not reported */
	le32 tmt1tc;	  /* thermal management temperature 1 transition count */
	le32 tmt2tc;
	le32 ttftmt1; /* total time for thermal management temperature 1, seconds */
	le32 ttftmt2;
	uint8_t rsvd232[280];
} __packed;

#define NVME_SMART_LOG_LEN 512

/* Critical Warning bits (byte 0); 7:6 reserved */
enum nvme_smart_cw {
	NVME_SMART_CW_SPARE = 1u << 0,		 /* available spare below threshold */
	NVME_SMART_CW_TEMPERATURE = 1u << 1,	 /* temperature outside a threshold */
	NVME_SMART_CW_RELIABILITY = 1u << 2,	 /* NVM subsystem reliability degraded */
	NVME_SMART_CW_READ_ONLY = 1u << 3,	 /* media placed in read-only mode */
	NVME_SMART_CW_VOLATILE_BACKUP = 1u << 4, /* volatile memory backup device failed */
	NVME_SMART_CW_PMR_READ_ONLY = 1u << 5,	 /* persistent memory region read-only */
};

/*
 * Error Information (LID 0x01): 64-byte entries, newest first; Identify
 * Controller ELPE + 1 of them. An entry whose error count is 0 is empty.
 */
struct nvme_error_log_page_entry {
	le64 errcnt; /* error count: unique per error, from 1 */
	le16 sqid;   /* 0xffff: not tied to a command */
	le16 cid;
	le16 sf;  /* status field: bit 0 the phase tag, 15:1 the status */
	le16 pel; /* parameter error location: byte 7:0, bit 10:8 */
	le64 lba; /* first LBA that saw the error */
	le32 nsid;
	uint8_t vsia;	/* vendor specific information available (a log page id) */
	uint8_t trtype; /* transport type, when the error is the transport's */
	uint8_t csi;	/* command set of the command */
	uint8_t opc;	/* opcode of the command */
	le64 cmdsi;	/* command specific information */
	le16 ttsi;	/* transport type specific information */
	uint8_t rsvd42[21];
	uint8_t lpver; /* log page version */
} __packed;

#define NVME_ERROR_LOG_ENTRY_LEN 64

#define NVME_CHANGED_NS_MAX	 1024
#define NVME_CHANGED_NS_OVERFLOW 0xffffffffu

/* ---- Features ----------------------------------------------------------------- */

enum nvme_feature_id {
	NVME_FEAT_ARBITRATION = 0x01,
	NVME_FEAT_POWER_MGMT = 0x02,
	NVME_FEAT_TEMP_THRESH = 0x04,
	NVME_FEAT_ERR_RECOVERY = 0x05,
	NVME_FEAT_VOLATILE_WC = 0x06,
	NVME_FEAT_NUM_QUEUES = 0x07,
	NVME_FEAT_ASYNC_EVENT = 0x0b,
	NVME_FEAT_KATO = 0x0f,
	NVME_FEAT_HOST_ID = 0x81,
	NVME_FEAT_RESV_MASK = 0x82,
	NVME_FEAT_RESV_PERSIST = 0x83,
	NVME_FEAT_WRITE_PROTECT = 0x84,
};

/* Get Features SEL (CDW10 10:8) */
enum nvme_feature_sel {
	NVME_FEAT_SEL_CURRENT = 0,
	NVME_FEAT_SEL_DEFAULT = 1,
	NVME_FEAT_SEL_SAVED = 2,
	NVME_FEAT_SEL_SUPPORTED = 3, /* DW0: capabilities, below */
};

#define NVME_FEAT_CAP_SAVEABLE	 (1u << 0)
#define NVME_FEAT_CAP_NS	 (1u << 1)
#define NVME_FEAT_CAP_CHANGEABLE (1u << 2)

/* ---- Asynchronous events ------------------------------------------------------- */

#define NVME_AER_TYPE(dw0) ((dw0)&0x7)
#define NVME_AER_INFO(dw0) (((dw0) >> 8) & 0xff)
#define NVME_AER_LID(dw0)  (((dw0) >> 16) & 0xff)

enum nvme_aer_type {
	NVME_AER_ERROR = 0,
	NVME_AER_SMART = 1,
	NVME_AER_NOTICE = 2,
	NVME_AER_IMMEDIATE = 3,
	NVME_AER_ONESHOT = 4,
	NVME_AER_CSS = 6,
	NVME_AER_VS = 7,
};

enum nvme_aer_notice {
	NVME_AER_NOTICE_NS_CHANGED = 0x00,
	NVME_AER_NOTICE_FW_ACT = 0x01,
	NVME_AER_NOTICE_TELEMETRY = 0x02,
	NVME_AER_NOTICE_ANA = 0x03,
	NVME_AER_NOTICE_DISC_CHANGED = 0xf0,
	NVME_AER_NOTICE_HOST_DISC_CHANGED = 0xf1,
};

/* ---- Reservations ---------------------------------------------------------------- */

struct nvme_resv_status_ext_hdr {
	le32 gen;
	uint8_t rtype;
	le16 regctl;
	uint8_t rsvd7[2];
	uint8_t ptpls;
	uint8_t rsvd10[54];
} __packed;

struct nvme_resv_reg_ctrl_ext {
	le16 cntlid;
	uint8_t rcsts;
	uint8_t rsvd3[5];
	le64 rkey;
	uint8_t hostid[16];
	uint8_t rsvd32[32];
} __packed;

/* ---- Discovery Information Management (TP8010) ---------------------------------------- */

enum nvmf_dim_tas {
	NVMF_DIM_TAS_REGISTER = 0,
	NVMF_DIM_TAS_DEREGISTER = 1,
	NVMF_DIM_TAS_UPDATE = 2,
};

#define NVMF_DIM_ENTFMT_EXTENDED 2
#define NVMF_DIM_ETYPE_HOST	 1
#define NVMF_DIM_EKTYPE_HOST	 0x5f
#define NVMF_EXATTYPE_HOSTID	 1
#define NVMF_EXATTYPE_SYMNAME	 2

struct nvmf_dim_hdr {
	le32 tdl;
	uint8_t rsvd4[4];
	le64 nument;
	le16 entfmt;
	le16 etype;
	uint8_t portlcl;
	uint8_t rsvd21;
	le16 ektype;
	char eid[NVMF_NQN_SIZE];
	char ename[256];
	char ever[64];
	uint8_t rsvd600[424];
} __packed;

/* An extended discovery information entry: a log entry, then its attributes. */
struct nvmf_ext_die_hdr {
	struct nvmf_disc_log_entry e;
	le32 tel;
	le16 numexat;
	uint8_t rsvd1030[2];
} __packed;

struct nvmf_exat_hdr {
	le16 exattype;
	le16 exatlen;
} __packed;

/* ---- I/O command fields --------------------------------------------------------------- */

#define NVME_RW_FUA	    (1u << 30) /* CDW12 */
#define NVME_RW_LR	    (1u << 31)
#define NVME_WZ_DEAC	    (1u << 25) /* Write Zeroes CDW12: deallocate */
#define NVME_DSM_AD	    (1u << 2)  /* Dataset Management CDW11: deallocate */
#define NVME_DSM_MAX_RANGES 256
#define NVME_NLB_MAX	    0x10000u /* blocks per read/write command (NLB is 16 bits, 0's based) */

struct nvme_dsm_range {
	le32 cattr;
	le32 nlb;
	le64 slba;
} __packed;

enum nvme_resv_type {
	NVME_RESV_WRITE_EXCLUSIVE = 1,
	NVME_RESV_EXCLUSIVE_ACCESS = 2,
	NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY = 3,
	NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY = 4,
	NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS = 5,
	NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS = 6,
};

enum nvme_resv_rrega {
	NVME_RESV_REGISTER = 0,
	NVME_RESV_UNREGISTER = 1,
	NVME_RESV_REPLACE = 2,
};

enum nvme_resv_racqa {
	NVME_RESV_ACQUIRE = 0,
	NVME_RESV_PREEMPT = 1,
	NVME_RESV_PREEMPT_AND_ABORT = 2,
};

enum nvme_resv_rrela {
	NVME_RESV_RELEASE = 0,
	NVME_RESV_CLEAR = 1,
};

/* Register/Acquire data: current key and the new (register) or preempt (acquire) key */
struct nvme_resv_keys {
	le64 crkey;
	le64 nrkey;
} __packed;

/* ---- Compile-time layout checks --------------------------------------------------- */

#define NVME_ASSERT_SIZE(t, n)	 _Static_assert(sizeof(t) == (n), #t " size")
#define NVME_ASSERT_OFF(t, f, n) _Static_assert(offsetof(t, f) == (n), #t "." #f " offset")

NVME_ASSERT_SIZE(struct nvme_sgl_desc, 16);
NVME_ASSERT_OFF(struct nvme_sgl_desc, length, 8);
NVME_ASSERT_OFF(struct nvme_sgl_desc, type, 15);
NVME_ASSERT_SIZE(struct nvme_sqe, 64);
NVME_ASSERT_OFF(struct nvme_sqe, cid, 2);
NVME_ASSERT_OFF(struct nvme_sqe, nsid, 4);
NVME_ASSERT_OFF(struct nvme_sqe, mptr, 16);
NVME_ASSERT_OFF(struct nvme_sqe, dptr, 24);
NVME_ASSERT_OFF(struct nvme_sqe, cdw10, 40);
NVME_ASSERT_OFF(struct nvme_sqe, cdw15, 60);
NVME_ASSERT_SIZE(struct nvme_cqe, 16);
NVME_ASSERT_OFF(struct nvme_cqe, sqhd, 8);
NVME_ASSERT_OFF(struct nvme_cqe, cid, 12);
NVME_ASSERT_OFF(struct nvme_cqe, status, 14);

NVME_ASSERT_SIZE(struct nvmf_connect_cmd, 64);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, fctype, 4);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, dptr, 24);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, recfmt, 40);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, qid, 42);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, sqsize, 44);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, cattr, 46);
NVME_ASSERT_OFF(struct nvmf_connect_cmd, kato, 48);
NVME_ASSERT_SIZE(struct nvmf_connect_data, 1024);
NVME_ASSERT_OFF(struct nvmf_connect_data, cntlid, 16);
NVME_ASSERT_OFF(struct nvmf_connect_data, subnqn, 256);
NVME_ASSERT_OFF(struct nvmf_connect_data, hostnqn, 512);
NVME_ASSERT_SIZE(struct nvmf_property_get_cmd, 64);
NVME_ASSERT_OFF(struct nvmf_property_get_cmd, attrib, 40);
NVME_ASSERT_OFF(struct nvmf_property_get_cmd, offset, 44);
NVME_ASSERT_SIZE(struct nvmf_property_set_cmd, 64);
NVME_ASSERT_OFF(struct nvmf_property_set_cmd, attrib, 40);
NVME_ASSERT_OFF(struct nvmf_property_set_cmd, offset, 44);
NVME_ASSERT_OFF(struct nvmf_property_set_cmd, value, 48);

NVME_ASSERT_SIZE(struct nvme_id_ctrl, 4096);
NVME_ASSERT_OFF(struct nvme_id_ctrl, sn, 4);
NVME_ASSERT_OFF(struct nvme_id_ctrl, mn, 24);
NVME_ASSERT_OFF(struct nvme_id_ctrl, fr, 64);
NVME_ASSERT_OFF(struct nvme_id_ctrl, cmic, 76);
NVME_ASSERT_OFF(struct nvme_id_ctrl, mdts, 77);
NVME_ASSERT_OFF(struct nvme_id_ctrl, cntlid, 78);
NVME_ASSERT_OFF(struct nvme_id_ctrl, ver, 80);
NVME_ASSERT_OFF(struct nvme_id_ctrl, oaes, 92);
NVME_ASSERT_OFF(struct nvme_id_ctrl, ctratt, 96);
NVME_ASSERT_OFF(struct nvme_id_ctrl, cntrltype, 111);
NVME_ASSERT_OFF(struct nvme_id_ctrl, fguid, 112);
NVME_ASSERT_OFF(struct nvme_id_ctrl, crdt1, 128);
NVME_ASSERT_OFF(struct nvme_id_ctrl, oacs, 256);
NVME_ASSERT_OFF(struct nvme_id_ctrl, aerl, 259);
NVME_ASSERT_OFF(struct nvme_id_ctrl, elpe, 262);
NVME_ASSERT_OFF(struct nvme_id_ctrl, npss, 263);
NVME_ASSERT_OFF(struct nvme_id_ctrl, kas, 320);
NVME_ASSERT_OFF(struct nvme_id_ctrl, anatt, 342);
NVME_ASSERT_OFF(struct nvme_id_ctrl, anacap, 343);
NVME_ASSERT_OFF(struct nvme_id_ctrl, anagrpmax, 344);
NVME_ASSERT_OFF(struct nvme_id_ctrl, nanagrpid, 348);
NVME_ASSERT_OFF(struct nvme_id_ctrl, sqes, 512);
NVME_ASSERT_OFF(struct nvme_id_ctrl, maxcmd, 514);
NVME_ASSERT_OFF(struct nvme_id_ctrl, nn, 516);
NVME_ASSERT_OFF(struct nvme_id_ctrl, oncs, 520);
NVME_ASSERT_OFF(struct nvme_id_ctrl, vwc, 525);
NVME_ASSERT_OFF(struct nvme_id_ctrl, sgls, 536);
NVME_ASSERT_OFF(struct nvme_id_ctrl, mnan, 540);
NVME_ASSERT_OFF(struct nvme_id_ctrl, subnqn, 768);
NVME_ASSERT_OFF(struct nvme_id_ctrl, ioccsz, 1792);
NVME_ASSERT_OFF(struct nvme_id_ctrl, iorcsz, 1796);
NVME_ASSERT_OFF(struct nvme_id_ctrl, icdoff, 1800);
NVME_ASSERT_OFF(struct nvme_id_ctrl, msdbd, 1803);
NVME_ASSERT_OFF(struct nvme_id_ctrl, dctype, 1806);
NVME_ASSERT_OFF(struct nvme_id_ctrl, psd, 2048);

NVME_ASSERT_SIZE(struct nvme_id_ns, 4096);
NVME_ASSERT_OFF(struct nvme_id_ns, nsfeat, 24);
NVME_ASSERT_OFF(struct nvme_id_ns, nlbaf, 25);
NVME_ASSERT_OFF(struct nvme_id_ns, flbas, 26);
NVME_ASSERT_OFF(struct nvme_id_ns, nmic, 30);
NVME_ASSERT_OFF(struct nvme_id_ns, rescap, 31);
NVME_ASSERT_OFF(struct nvme_id_ns, mssrl, 74);
NVME_ASSERT_OFF(struct nvme_id_ns, mcl, 76);
NVME_ASSERT_OFF(struct nvme_id_ns, anagrpid, 92);
NVME_ASSERT_OFF(struct nvme_id_ns, nsattr, 99);
NVME_ASSERT_OFF(struct nvme_id_ns, nguid, 104);
NVME_ASSERT_OFF(struct nvme_id_ns, eui64, 120);
NVME_ASSERT_OFF(struct nvme_id_ns, lbaf, 128);
NVME_ASSERT_SIZE(struct nvme_ns_id_desc, 4);

NVME_ASSERT_SIZE(struct nvmf_disc_log_hdr, 1024);
NVME_ASSERT_OFF(struct nvmf_disc_log_hdr, numrec, 8);
NVME_ASSERT_OFF(struct nvmf_disc_log_hdr, recfmt, 16);
NVME_ASSERT_OFF(struct nvmf_disc_log_hdr, dlpf, 18);
NVME_ASSERT_OFF(struct nvmf_disc_log_hdr, tdlpl, 20);
NVME_ASSERT_SIZE(struct nvmf_disc_log_entry, 1024);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, portid, 4);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, cntlid, 6);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, asqsz, 8);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, eflags, 10);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, trsvcid, 32);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, subnqn, 256);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, traddr, 512);
NVME_ASSERT_OFF(struct nvmf_disc_log_entry, tsas, 768);

NVME_ASSERT_SIZE(struct nvme_ana_log_hdr, 16);
NVME_ASSERT_OFF(struct nvme_ana_log_hdr, ngrps, 8);
NVME_ASSERT_SIZE(struct nvme_ana_group_desc, 32);
NVME_ASSERT_OFF(struct nvme_ana_group_desc, nnsids, 4);
NVME_ASSERT_OFF(struct nvme_ana_group_desc, chgcnt, 8);
NVME_ASSERT_OFF(struct nvme_ana_group_desc, state, 16);

NVME_ASSERT_SIZE(struct nvme_smart_log_page, NVME_SMART_LOG_LEN);
NVME_ASSERT_OFF(struct nvme_smart_log_page, cw, 0);
NVME_ASSERT_OFF(struct nvme_smart_log_page, ctemp, 1);
NVME_ASSERT_OFF(struct nvme_smart_log_page, avsp, 3);
NVME_ASSERT_OFF(struct nvme_smart_log_page, avspt, 4);
NVME_ASSERT_OFF(struct nvme_smart_log_page, pused, 5);
NVME_ASSERT_OFF(struct nvme_smart_log_page, egcws, 6);
NVME_ASSERT_OFF(struct nvme_smart_log_page, dur, 32);
NVME_ASSERT_OFF(struct nvme_smart_log_page, duw, 48);
NVME_ASSERT_OFF(struct nvme_smart_log_page, hrc, 64);
NVME_ASSERT_OFF(struct nvme_smart_log_page, hwc, 80);
NVME_ASSERT_OFF(struct nvme_smart_log_page, cbt, 96);
NVME_ASSERT_OFF(struct nvme_smart_log_page, pwrc, 112);
NVME_ASSERT_OFF(struct nvme_smart_log_page, poh, 128);
NVME_ASSERT_OFF(struct nvme_smart_log_page, upl, 144);
NVME_ASSERT_OFF(struct nvme_smart_log_page, mdie, 160);
NVME_ASSERT_OFF(struct nvme_smart_log_page, nele, 176);
NVME_ASSERT_OFF(struct nvme_smart_log_page, wctt, 192);
NVME_ASSERT_OFF(struct nvme_smart_log_page, cctt, 196);
NVME_ASSERT_OFF(struct nvme_smart_log_page, tsen, 200);
NVME_ASSERT_OFF(struct nvme_smart_log_page, tmt1tc, 216);
NVME_ASSERT_OFF(struct nvme_smart_log_page, tmt2tc, 220);
NVME_ASSERT_OFF(struct nvme_smart_log_page, ttftmt1, 224);
NVME_ASSERT_OFF(struct nvme_smart_log_page, ttftmt2, 228);
NVME_ASSERT_OFF(struct nvme_smart_log_page, rsvd232, 232);

NVME_ASSERT_SIZE(struct nvme_error_log_page_entry, NVME_ERROR_LOG_ENTRY_LEN);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, sqid, 8);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, cid, 10);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, sf, 12);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, pel, 14);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, lba, 16);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, nsid, 24);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, vsia, 28);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, trtype, 29);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, csi, 30);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, opc, 31);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, cmdsi, 32);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, ttsi, 40);
NVME_ASSERT_OFF(struct nvme_error_log_page_entry, lpver, 63);

NVME_ASSERT_SIZE(struct nvmf_dim_hdr, 1024);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, nument, 8);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, entfmt, 16);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, etype, 18);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, portlcl, 20);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, ektype, 22);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, eid, 24);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, ename, 280);
NVME_ASSERT_OFF(struct nvmf_dim_hdr, ever, 536);
NVME_ASSERT_SIZE(struct nvmf_ext_die_hdr, 1032);
NVME_ASSERT_OFF(struct nvmf_ext_die_hdr, tel, 1024);
NVME_ASSERT_OFF(struct nvmf_ext_die_hdr, numexat, 1028);
NVME_ASSERT_SIZE(struct nvmf_exat_hdr, 4);

NVME_ASSERT_SIZE(struct nvme_dsm_range, 16);
NVME_ASSERT_OFF(struct nvme_dsm_range, nlb, 4);
NVME_ASSERT_OFF(struct nvme_dsm_range, slba, 8);
NVME_ASSERT_SIZE(struct nvme_resv_keys, 16);
NVME_ASSERT_SIZE(struct nvme_resv_status_ext_hdr, 64);
NVME_ASSERT_OFF(struct nvme_resv_status_ext_hdr, rtype, 4);
NVME_ASSERT_OFF(struct nvme_resv_status_ext_hdr, regctl, 5);
NVME_ASSERT_OFF(struct nvme_resv_status_ext_hdr, ptpls, 9);
NVME_ASSERT_SIZE(struct nvme_resv_reg_ctrl_ext, 64);
NVME_ASSERT_OFF(struct nvme_resv_reg_ctrl_ext, rcsts, 2);
NVME_ASSERT_OFF(struct nvme_resv_reg_ctrl_ext, rkey, 8);
NVME_ASSERT_OFF(struct nvme_resv_reg_ctrl_ext, hostid, 16);

#endif
