import { Injectable } from '@nestjs/common';
import { authorizationError, conflict, notFound, validationError } from '../../common/domain-error';
import type { ChatUser } from './chat-actor';
import { ChatDelivery } from './chat-delivery';
import { isUuid, roomNameError } from './chat-names';
import { ChatPresence } from './chat-presence';
import type { RoomRole } from './entities/chat-room-member.entity';
import type { RoomCreateDto, RoomMemberResponseDto, RoomPresenceResponseDto, RoomResponseDto, RoomUpdateDto } from './dto/room.dto';
import { MemberRow, RoomListRow, RoomRepository, RoomRow } from './room.repository';

/** A room the caller may see, with their membership (null when not a member of a public room). */
export interface RoomAccess {
  room: RoomRow;
  member: MemberRow | null;
}

export const NOT_JOINED = 'You must join the room first';

/** Rooms, members, joining and leaving: who may see and change what. */
@Injectable()
export class RoomsService {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly presence: ChatPresence,
    private readonly delivery: ChatDelivery,
  ) {}

  async create(user: ChatUser, dto: RoomCreateDto): Promise<RoomResponseDto> {
    const tenantId = user.tenant.id;
    const others = [...new Set(dto.members ?? [])].filter((id) => id !== user.userId);
    const room = await this.rooms.transaction(async (m) => {
      const created = await this.rooms.insert(
        tenantId,
        { name: dto.name, visibility: dto.visibility ?? 'public', metadata: dto.metadata ?? {}, createdBy: user.userId },
        m,
      );
      if (!created) throw conflict(`A room named ${dto.name} already exists`);
      await this.rooms.addMember(tenantId, created.id, user.userId, 'owner', m);
      for (const id of others) await this.rooms.addMember(tenantId, created.id, id, 'member', m);
      return created;
    });
    this.delivery.toUsers(tenantId, others, 'room_joined', { room: room.name, roomId: room.id, addedBy: user.userId });
    return this.view(user, room);
  }

  async list(user: ChatUser, options: { after?: string; limit?: number; joinedOnly: boolean }): Promise<RoomResponseDto[]> {
    const rows = await this.rooms.list(user.tenant.id, user.userId, { after: options.after, limit: options.limit ?? 50, joinedOnly: options.joinedOnly });
    return rows.map(listView);
  }

  async get(user: ChatUser, ref: string): Promise<RoomResponseDto> {
    const { room } = await this.access(user, ref);
    return this.view(user, room);
  }

  async update(user: ChatUser, ref: string, dto: RoomUpdateDto): Promise<RoomResponseDto> {
    const { room } = await this.requireRole(user, ref, ['owner', 'admin'], 'change the room');
    const updated = await this.rooms.update(user.tenant.id, room.id, dto);
    if (!updated) throw notFound('Room');
    return this.view(user, updated);
  }

  async remove(user: ChatUser, ref: string): Promise<void> {
    const { room } = await this.requireRole(user, ref, ['owner'], 'delete the room');
    const memberIds = await this.rooms.memberIds(user.tenant.id, room.id);
    if (!(await this.rooms.delete(user.tenant.id, room.id))) throw notFound('Room');
    for (const id of memberIds) this.presence.evict(user.tenant.id, id, room.name);
    this.delivery.toUsers(user.tenant.id, memberIds, 'room_deleted', { room: room.name, roomId: room.id });
  }

  async members(user: ChatUser, ref: string): Promise<RoomMemberResponseDto[]> {
    const { room } = await this.access(user, ref);
    return this.rooms.members(user.tenant.id, room.id);
  }

  /** Adds a member, or changes a member's role. Owners and admins add members; only owners grant admin or owner. */
  async addMember(user: ChatUser, ref: string, userId: string, role: RoomRole = 'member'): Promise<RoomMemberResponseDto> {
    const { room, member } = await this.requireRole(user, ref, ['owner', 'admin'], 'add members');
    const tenantId = user.tenant.id;
    const existing = await this.rooms.member(tenantId, room.id, userId);
    if (member!.role !== 'owner' && (role !== 'member' || (existing && existing.role !== 'member'))) {
      throw authorizationError("Only the room's owners may grant or change the admin and owner roles");
    }
    if (existing) {
      if (existing.role !== role) await this.rooms.setRole(tenantId, room.id, userId, role);
    } else {
      await this.rooms.addMember(tenantId, room.id, userId, role);
      this.delivery.toUsers(tenantId, [userId], 'room_joined', { room: room.name, roomId: room.id, addedBy: user.userId });
    }
    return (await this.rooms.member(tenantId, room.id, userId))!;
  }

  /** Removes a member: anyone may remove themselves; owners anyone; admins plain members. */
  async removeMember(user: ChatUser, ref: string, userId: string): Promise<void> {
    if (userId === user.userId) return this.leave(user, ref);
    const { room, member } = await this.requireRole(user, ref, ['owner', 'admin'], 'remove members');
    const target = await this.rooms.member(user.tenant.id, room.id, userId);
    if (!target) throw notFound('Member');
    if (member!.role === 'admin' && target.role !== 'member') throw authorizationError('Admins may only remove members');
    await this.rooms.removeMember(user.tenant.id, room.id, userId);
    this.presence.evict(user.tenant.id, userId, room.name);
    this.delivery.toUsers(user.tenant.id, [userId], 'room_left', { room: room.name, roomId: room.id, removedBy: user.userId });
  }

  /** Joins a room by reference: public rooms are open to the tenant's users; private ones only to their members. */
  async join(user: ChatUser, ref: string): Promise<RoomResponseDto> {
    const { room, member } = await this.access(user, ref);
    if (!member) await this.rooms.addMember(user.tenant.id, room.id, user.userId, 'member');
    return this.view(user, room);
  }

  /**
   * Seed 001's join by name: a public room that does not exist yet is created (the first user owns
   * it); a private room needs membership.
   */
  async joinByName(user: ChatUser, name: string): Promise<RoomRow> {
    const room = await this.ensurePublicRoom(user, name);
    const member = await this.rooms.member(user.tenant.id, room.id, user.userId);
    if (!member) {
      if (room.visibility === 'private') throw authorizationError('This room is private: an owner or admin must add you');
      await this.rooms.addMember(user.tenant.id, room.id, user.userId, 'member');
    }
    return room;
  }

  async leave(user: ChatUser, ref: string): Promise<void> {
    const room = await this.findRoom(user.tenant.id, ref);
    if (!room) throw notFound('Room');
    await this.leaveRoom(user, room);
  }

  /** Seed 001's leave by name: leaving a room one is not in (or that does not exist) is already done. */
  async leaveByName(user: ChatUser, name: string): Promise<void> {
    const room = await this.rooms.byName(user.tenant.id, name);
    if (room) await this.leaveRoom(user, room);
  }

  async presenceOf(user: ChatUser, ref: string): Promise<RoomPresenceResponseDto> {
    const { room } = await this.access(user, ref);
    const [members, online] = await Promise.all([this.rooms.members(user.tenant.id, room.id), this.presence.online(user.tenant.id, room.name)]);
    const info = new Map(online.map((m) => [m.userId, m.userInfo ?? null]));
    const view = members.map((m) => ({ userId: m.userId, role: m.role as string | null, status: info.has(m.userId) ? ('online' as const) : ('offline' as const), userInfo: info.get(m.userId) ?? null }));
    const known = new Set(members.map((m) => m.userId));
    for (const m of online) if (!known.has(m.userId)) view.push({ userId: m.userId, role: null, status: 'online', userInfo: m.userInfo ?? null });
    view.sort((a, b) => (a.status === b.status ? a.userId.localeCompare(b.userId) : a.status === 'online' ? -1 : 1));
    return { room: room.name, onlineCount: online.length, members: view };
  }

  /** The room if the caller may see it: any public room of the tenant, or a private room they are in. */
  async access(user: ChatUser, ref: string): Promise<RoomAccess> {
    const room = await this.findRoom(user.tenant.id, ref);
    if (!room) throw notFound('Room');
    const member = await this.rooms.member(user.tenant.id, room.id, user.userId);
    // A private room does not exist for those outside it.
    if (!member && room.visibility === 'private') throw notFound('Room');
    return { room, member };
  }

  /** The room if the caller is a member. */
  async requireMember(user: ChatUser, ref: string): Promise<RoomAccess & { member: MemberRow }> {
    const access = await this.access(user, ref);
    if (!access.member) throw authorizationError(NOT_JOINED);
    return access as RoomAccess & { member: MemberRow };
  }

  async memberIds(tenantId: string, roomId: string): Promise<string[]> {
    return this.rooms.memberIds(tenantId, roomId);
  }

  /** A public room by name, created when missing (seed 001); an existing private room as it is. */
  async ensurePublicRoom(user: ChatUser, name: string): Promise<RoomRow> {
    const error = roomNameError(name);
    if (error) throw validationError(error);
    const tenantId = user.tenant.id;
    const existing = await this.rooms.byName(tenantId, name);
    if (existing) return existing;
    const created = await this.rooms.transaction(async (m) => {
      const room = await this.rooms.insert(tenantId, { name, visibility: 'public', metadata: {}, createdBy: user.userId }, m);
      if (room) await this.rooms.addMember(tenantId, room.id, user.userId, 'owner', m);
      return room;
    });
    // Null: another request created it in the meantime.
    return created ?? (await this.rooms.byName(tenantId, name))!;
  }

  private async leaveRoom(user: ChatUser, room: RoomRow): Promise<void> {
    await this.rooms.removeMember(user.tenant.id, room.id, user.userId);
    this.presence.evict(user.tenant.id, user.userId, room.name);
  }

  private async requireRole(user: ChatUser, ref: string, roles: RoomRole[], action: string): Promise<RoomAccess> {
    const access = await this.access(user, ref);
    if (!access.member || !roles.includes(access.member.role)) {
      throw authorizationError(`Only the room's ${roles.map((r) => `${r}s`).join(' or ')} may ${action}`);
    }
    return access;
  }

  private findRoom(tenantId: string, ref: string): Promise<RoomRow | null> {
    if (isUuid(ref)) return this.rooms.byId(tenantId, ref);
    return roomNameError(ref) ? Promise.resolve(null) : this.rooms.byName(tenantId, ref);
  }

  private async view(user: ChatUser, room: RoomRow): Promise<RoomResponseDto> {
    const [row] = await this.rooms.list(user.tenant.id, user.userId, { limit: 1, joinedOnly: false, only: room.id });
    return row ? listView(row) : listView({ ...room, role: null, unreadCount: null, memberCount: 0, lastMessageAt: null });
  }
}

function listView(r: RoomListRow): RoomResponseDto {
  return {
    id: r.id,
    name: r.name,
    visibility: r.visibility,
    metadata: r.metadata,
    createdBy: r.createdBy,
    role: r.role,
    unreadCount: r.unreadCount,
    memberCount: r.memberCount,
    lastMessageAt: r.lastMessageAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
